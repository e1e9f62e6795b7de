"""Pure helpers for DNS-published mail policy: names, DKIM tags, SPF and DMARC records.

Nothing here does I/O; the probes in :mod:`wizard.probes` fetch the records
and these modules say what they mean.
"""
