"""Import of participants and host organisations from CSV and XLSX; export of lists."""
