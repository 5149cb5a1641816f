"""Course payments: learners pay the tenant (tenant schema)."""
