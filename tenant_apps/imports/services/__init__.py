"""What the imports app offers: the tenant's mapping (mapping.py), uploads and dry runs
(planning.py), applying, confirming and rolling back runs (applying.py)."""
