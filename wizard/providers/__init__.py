"""Provider profiles: what a mail relay expects (endpoints, ports, TLS, SPF, DKIM, limits).

Everything provider-specific is data under ``flows/providers/``; this
package only models and loads it.
"""

from wizard.providers.loader import bundled_provider_ids, load_provider, provider_path
from wizard.providers.model import Provider

__all__ = ["Provider", "bundled_provider_ids", "load_provider", "provider_path"]
