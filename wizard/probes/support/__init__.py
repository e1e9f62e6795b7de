"""What probes share and are not probes themselves: resolving, the SMTP adapter on
aiosmtplib, TLS inspection, TCP connects, zones, DNS failure outcomes."""
