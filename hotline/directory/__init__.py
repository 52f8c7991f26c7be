"""Directory data the administrators keep: agencies, wards, users, routing rules, SLA policies, the working-day calendar and the place resolver."""
