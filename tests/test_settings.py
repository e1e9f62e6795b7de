"""The settings file both front-ends read: defaults, round trip, and clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wizard.probes.base import Nameserver
from wizard.settings import (
    MAX_BYTES,
    OciOptions,
    Settings,
    SettingsError,
    load_settings,
    save_settings,
    settings_path,
)


def test_no_file_means_the_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "config.toml")
    assert settings == Settings()
    assert settings.timeout == 10.0 and settings.nameservers == ()


def test_the_file_lives_in_the_user_config_folder(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_WIZARD_CONFIG_DIR", str(tmp_path))
    assert settings_path() == tmp_path / "config.toml"


def test_saved_settings_read_back_the_same_and_leave_defaults_out(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    wanted = Settings(ca_file="/etc/corp-ca.pem", nameservers=("127.0.0.1:5353", "::1"),
                      authoritative=True, timeout=4.5, region="us-ashburn-1",
                      oci=OciOptions(profile="LAB"))
    save_settings(wanted, path)
    assert load_settings(path) == wanted
    text = path.read_text()
    assert 'profile = "LAB"' in text and "theme" not in text
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]


def test_the_settings_make_the_probe_context() -> None:
    ctx = Settings(nameservers=("127.0.0.1:5353",), ca_file="ca.pem", authoritative=True,
                   timeout=3).probe_context(authoritative_port=5300)
    assert ctx.nameservers == (Nameserver("127.0.0.1", 5353),)
    assert (ctx.ca_file, ctx.authoritative, ctx.timeout, ctx.authoritative_port) == (
        "ca.pem", True, 3, 5300)


@pytest.mark.parametrize(("text", "message"), [
    ("timeout = 0\n", "timeout: Input should be greater than 0"),
    ("nameservers = ['resolver.example']\n", "nameservers: 'resolver.example' is not an IP"),
    ("colour = 'blue'\n", "colour: unknown setting (known: authoritative, ca_file"),
    ("[oci]\nauth = 'password'\n", "oci.auth: Input should be"),
    ("timeout = \n", "not valid TOML"),
])
def test_a_bad_file_names_the_file_and_the_key(tmp_path: Path, text: str,
                                               message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    with pytest.raises(SettingsError, match="not a regular file"):
        load_settings(path)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(SettingsError, match="file too large"):
        load_settings(path)


def test_binary_garbage_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SettingsError, match="not UTF-8"):
        load_settings(path)


def test_a_ca_file_must_be_pem_certificates(tmp_path: Path) -> None:
    from wizard.settings import ca_file_problem

    (tmp_path / "empty.pem").write_text("")
    (tmp_path / "text.pem").write_text("not a certificate\n")
    assert "no such file" in (ca_file_problem(str(tmp_path / "missing.pem")) or "")
    assert "not a regular file" in (ca_file_problem(str(tmp_path)) or "")
    assert "not a PEM certificate file" in (ca_file_problem(str(tmp_path / "empty.pem")) or "")
    assert "not a PEM certificate file" in (ca_file_problem(str(tmp_path / "text.pem")) or "")


def test_a_real_ca_file_passes(tmp_path: Path) -> None:
    import trustme

    from wizard.settings import ca_file_problem

    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    assert ca_file_problem(str(tmp_path / "ca.pem")) is None


def test_provider_and_region_are_defaults_only_where_the_run_gave_none() -> None:
    prefs = Settings(provider="oci", region="us-ashburn-1")
    assert prefs.input_defaults({"provider", "region", "host"}, set()) == {
        "provider": "oci", "region": "us-ashburn-1"}
    assert prefs.input_defaults({"provider", "region", "host"}, {"host"}) == {
        "provider": "oci"}
    assert prefs.input_defaults({"region"}, {"region"}) == {}
    assert prefs.input_defaults({"domain"}, set()) == {}
