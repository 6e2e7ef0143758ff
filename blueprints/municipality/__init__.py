"""Municipality pages (/gemeente/<cbs_code>/): what cooperatives share with their municipality."""
