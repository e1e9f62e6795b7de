"""The provider profile as pydantic models: one YAML file per provider in ``flows/providers/``."""


from typing import Any, Literal

from pydantic import Field

from wizard.data.strict import Strict
from wizard.data.template import render


class Realm(Strict):
    """A separate cloud (commercial, government) with its own endpoint domain."""

    name: str
    smtp_endpoint: str = Field(description="SMTP host template; may use {region} and {region_key}")


class SpfArea(Strict):
    """A group of regions that share the SPF include to publish."""

    name: str
    includes: list[str] = Field(min_length=1, description="Names for 'include:' in the SPF TXT")


class Region(Strict):
    """One region a provider sends from."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    key: str = Field(pattern=r"^[a-z0-9]+$", description="Short region key, lower case")
    name: str
    realm: str
    spf_area: str


class Port(Strict):
    """A submission port and how TLS is negotiated on it."""

    port: int = Field(ge=1, le=65535)
    tls: Literal["starttls", "implicit", "none"]
    note: str = ""


class Auth(Strict):
    """How the relay authenticates clients."""

    mechanisms: list[str] = Field(min_length=1)
    requires_tls: bool = Field(description="AUTH is offered only after STARTTLS or on implicit TLS")


class Smtp(Strict):
    """The SMTP relay's connection facts."""

    endpoint: str = Field("", description="Host template when there are no realms, e.g. '{host}'")
    endpoint_where: str = Field("the provider's documentation", min_length=1,
                                description="Where a user finds the SMTP endpoint (a console "
                                "page, the documentation), for fix texts")
    egress_where: str = Field("host firewall, network firewall, or ISP", min_length=1,
                              description="Where outgoing SMTP may be blocked on the way to "
                              "the relay (firewalls, the cloud's security lists), for a "
                              "network action's 'where'")
    ports: list[Port] = Field(min_length=1)
    tls_min_version: Literal["1.0", "1.1", "1.2", "1.3"]
    auth: Auth


class Dkim(Strict):
    """Where the DKIM record goes and what it should point at."""

    cname_name: str = Field(description="Template: {selector}, {domain}")
    cname_target: str = Field("", description="Template: {selector}, {domain}, {region_key}")
    cname_target_suffix: str = Field("", description="Every target ends with this name")


class Limits(Strict):
    """Limits the provider documents (absent when it documents none)."""

    max_recipients: int | None = Field(None, ge=1, description="Recipients per message (To+Cc+Bcc)")
    max_header_kb: int | None = Field(None, ge=1, description="Size of all headers, in KB")


class Provider(Strict):
    """A provider profile."""

    kind: Literal["provider"] = Field("provider", description="What this file is")
    version: Literal[1] = 1
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    description: str = ""
    source: str = Field(description="Where the facts come from")
    api_name: str = Field("the provider's API", min_length=1,
                          description="How fix texts and titles name the provider's own API "
                          "(the one the wizard reads with a profile), e.g. 'the OCI Email "
                          "Delivery API'")
    support_where: str = Field("the provider's support", min_length=1,
                               description="Where a support request goes, for a console "
                               "action's 'where'")
    realms: dict[str, Realm] = Field({})
    spf_areas: dict[str, SpfArea] = Field({})
    regions: list[Region] = Field([])
    smtp: Smtp
    dkim: Dkim | None = None
    limits: Limits = Field(default_factory=Limits)
    notes: dict[str, str] = Field({},
                                  description="What the provider says, by topic")

    def region(self, region_id: str) -> Region:
        """The region ``region_id``; ``KeyError`` when the profile does not list it."""
        for region in self.regions:
            if region.id == region_id:
                return region
        raise KeyError(region_id)

    def smtp_host(self, region_id: str | None = None, host: str | None = None) -> str:
        """The SMTP host to connect to: from the region's realm, else from the endpoint template."""
        if region_id is not None and self.regions:
            region = self.region(region_id)
            template = self.realms[region.realm].smtp_endpoint
            return render(template, {"region": region.id, "region_key": region.key})
        values = {"host": host} if host is not None else {}
        return render(self.smtp.endpoint, values)

    def spf_includes(self, region_id: str) -> list[str]:
        """The SPF ``include:`` names for mail sent through ``region_id``."""
        return list(self.spf_areas[self.region(region_id).spf_area].includes)

    def dkim_cname_target(self, selector: str, domain: str, region_id: str) -> str:
        """The CNAME target a DKIM key of ``selector`` in ``region_id`` is expected to have."""
        if self.dkim is None or not self.dkim.cname_target:
            raise KeyError("dkim.cname_target")
        return render(self.dkim.cname_target, {
            "selector": selector, "domain": domain.rstrip("."),
            "region_key": self.region(region_id).key})

    def facts(self) -> dict[str, Any]:
        """Flat ``provider.*`` values for templates (fix texts of flows and the catalog)."""
        out: dict[str, Any] = {"provider.id": self.id, "provider.name": self.name}
        for name, value in self.limits.model_dump().items():
            if value is not None:
                out[f"provider.limits.{name}"] = value
        out["provider.tls_min_version"] = self.smtp.tls_min_version
        out["provider.ports"] = [p.port for p in self.smtp.ports]
        return out
