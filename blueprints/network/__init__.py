"""The national network's space (/netwerk/): the "Werk in de wijk" meeting and benchmark."""
