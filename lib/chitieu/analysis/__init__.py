"""What chitieu computes from the data: results tables, projections to 2030, whole panels, comparisons between
localities, audits of a draft's claims, what-if scenarios. Every rule it applies comes from :mod:`chitieu.core`."""
