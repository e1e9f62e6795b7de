"""Realistic ways users paste an error: built from a catalog entry, as each tool prints it.

Shared by the explain tests and ``bench/explain_bench.py``.
"""

from __future__ import annotations

import json
import re

from wizard.catalog.model import Entry

SAMPLES = {
    "limit": "10",
    "address": "bob@example.com",
    "header": "X-Custom-Tag",
    "user": "ocid1.user.oc1..aaaaaaaaexample",
}
RELAY = "smtp.email.us-ashburn-1.oci.oraclecloud.com[138.1.2.3]"


def sample_texts(entry: Entry) -> list[str]:
    """The entry's texts with placeholders filled by sample values (what a server sends)."""
    def fill(match: re.Match[str]) -> str:
        return SAMPLES[entry.capture_name(match.group(1))]

    return [re.sub(r"<([^<>]*)>", fill, text) for text in entry.match_texts()]


def _camel(error_code: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in error_code.split())


def smtp_forms(entry: Entry, text: str) -> dict[str, str]:
    """An SMTP reply as a bare line, multi-line, Postfix log, Python/Java/Node error, swaks."""
    code = entry.code
    enh = f"{entry.enhanced_code} " if entry.enhanced_code else ""
    words = text.split()
    half = max(1, len(words) // 2)
    status = "deferred" if str(code)[0] == "4" else "bounced"
    dsn = entry.enhanced_code or f"{str(code)[0]}.0.0"
    python_message = f"{enh}{text}".encode()
    two_lines = "\n".join(
        f"{enh}{' '.join(part)}" for part in (words[:half], words[half:])).encode()
    return {
        "bare": f"{code} {enh}{text}",
        "multiline": f"{code}-{enh}{' '.join(words[:half])}\n{code} {enh}{' '.join(words[half:])}",
        "postfix": (
            f"Mar  3 10:15:02 app postfix/smtp[2211]: 4XyZ1C2: to=<alice@example.net>, "
            f"relay={RELAY}:587, delay=0.52, delays=0.01/0/0.31/0.2, dsn={dsn}, "
            f"status={status} (host {RELAY} said: {code} {enh}{text} "
            f"(in reply to end of DATA command))"),
        "python": f"smtplib.SMTPResponseException: ({code}, {python_message!r})",
        "python_multiline": f"smtplib.SMTPResponseException: ({code}, {two_lines!r})",
        "aiosmtplib": f"aiosmtplib.errors.SMTPResponseException: ({code}, {f'{enh}{text}'!r})",
        "java": f"jakarta.mail.MessagingException: {code} {enh}{text}\n"
                f"\tat org.eclipse.angus.mail.smtp.SMTPTransport.issueSendCommand("
                f"SMTPTransport.java:2463)",
        "node": (
            f"Error: Message failed: {code} {enh}{text}\n"
            f"    at SMTPConnection._formatError (/app/node_modules/nodemailer/lib/"
            f"smtp-connection/index.js:798:19) {{\n"
            f"  code: 'EMESSAGE',\n  response: {f'{code} {enh}{text}'!r},\n"
            f"  responseCode: {code},\n  command: 'DATA'\n}}"),
        "swaks": (
            "=== Trying smtp.email.us-ashburn-1.oci.oraclecloud.com:587...\n"
            "=== Connected to smtp.email.us-ashburn-1.oci.oraclecloud.com.\n"
            "<-  220 smtp.email.us-ashburn-1.oci.oraclecloud.com ESMTP\n"
            " -> EHLO app.example.net\n<-  250-smtp.email.us-ashburn-1.oci.oraclecloud.com\n"
            "<-  250-SIZE 2097152\n<-  250 STARTTLS\n -> STARTTLS\n<-  220 Ready to start TLS\n"
            "=== TLS started with cipher TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384:256\n"
            " ~> AUTH PLAIN AGJvYgBzZWNyZXQ=\n"
            f"<~* {code} {enh}{text}\n ~> QUIT\n<~  221 Bye"),
    }


def https_forms(entry: Entry, text: str) -> dict[str, str]:
    """An HTTPS error as a JSON body, OCI CLI output, Python/Java/Go SDK errors, a status line."""
    designation = _camel(entry.error_code or "")
    cli = {
        "client_version": "Oracle-PythonSDK/2.126.0, Oracle-PythonCLI/3.43.0",
        "code": designation,
        "logging_tips": "Please run the OCI CLI command using --debug flag to find more "
                        "debug information.",
        "message": text,
        "opc-request-id": "CA1B2C3D4E5F/0123456789ABCDEF/FEDCBA9876543210",
        "operation_name": "submit_email",
        "request_endpoint": "POST https://cell0.submit.email.us-ashburn-1.oci.oraclecloud.com"
                            "/20220926/actions/submitEmail",
        "status": entry.code,
        "target_service": "email_data_plane",
        "timestamp": "2025-03-03T10:15:02.123456+00:00",
        "troubleshooting_tips": "See [https://docs.oracle.com/iaas/Content/API/References/"
                                "apierrors.htm] for more information about resolving this "
                                "error. If you are unable to resolve this issue, run this CLI "
                                "command with --debug option and contact Oracle support and "
                                "provide them the full error message.",
    }
    sdk = {"target_service": "email_data_plane", "status": entry.code, "code": designation,
           "opc-request-id": "CA1B2C3D4E5F", "message": text, "operation_name": "submit_email"}
    return {
        "body": json.dumps({"code": designation, "message": text}),
        "oci_cli": "ServiceError:\n" + json.dumps(cli, indent=4, sort_keys=True),
        "python_sdk": f"oci.exceptions.ServiceError: {sdk!r}",
        "java_sdk": f"com.oracle.bmc.model.BmcException: ({entry.code}, {designation}, false) "
                    f"{text} (opc-request-id: CA1B2C3D4E5F)",
        "go_sdk": (f"Error returned by EmailDataPlane Service. Http Status Code: {entry.code}. "
                   f"Error Code: {designation}. Opc request id: CA1B2C3D4E5F. Message: {text}\n"
                   f"Operation Name: SubmitEmail"),
        "curl": (f"HTTP/1.1 {entry.code} \nContent-Type: application/json\n"
                 f"opc-request-id: CA1B2C3D4E5F\n\n"
                 + json.dumps({"code": designation, "message": text})),
    }


def paste_forms(entry: Entry) -> dict[str, str]:
    """Every realistic paste form of every text of ``entry``, by name."""
    out: dict[str, str] = {}
    for i, text in enumerate(sample_texts(entry)):
        forms = smtp_forms(entry, text) if entry.protocol == "smtp" else https_forms(entry, text)
        for name, form in forms.items():
            out[f"{name}#{i}"] = form
    return out
