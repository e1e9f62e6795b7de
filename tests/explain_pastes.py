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
    if entry.protocol == "client":
        return {name: text for name, (text, _) in CLIENT_PASTES[entry.id].items()}
    out: dict[str, str] = {}
    for i, text in enumerate(sample_texts(entry)):
        forms = smtp_forms(entry, text) if entry.protocol == "smtp" else https_forms(entry, text)
        for name, form in forms.items():
            out[f"{name}#{i}"] = form
    return out


HOST = "smtp.email.us-ashburn-1.oci.oraclecloud.com"
PY_TRACE = (
    "Traceback (most recent call last):\n"
    '  File "/app/send_mail.py", line 14, in <module>\n'
    f'    with smtplib.SMTP("{HOST}", 587, timeout=10) as smtp:\n'
    '         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n'
    '  File "/usr/lib/python3.12/smtplib.py", line 255, in __init__\n'
    "    (code, msg) = self.connect(host, port)\n"
    '  File "/usr/lib/python3.12/smtplib.py", line 341, in connect\n'
    "    self.sock = self._get_socket(host, port, self.timeout)\n")
PY_LOGIN = (
    "Traceback (most recent call last):\n"
    '  File "/app/send_mail.py", line 16, in <module>\n'
    "    smtp.login(user, password)\n"
    '  File "/usr/lib/python3.12/smtplib.py", line 750, in login\n'
    "    raise last_exception\n")
NODE_AT = ("    at SMTPConnection._formatError (/app/node_modules/nodemailer/lib/smtp-connection/"
           "index.js:809:19)\n")
POSTFIX = "Mar  3 10:15:02 app postfix/smtp[2211]: "
WITH_HOST = {"host": HOST, "ports": "587"}
WITH_HOST_PORT = {"host": HOST, "port": "587"}

CLIENT_PASTES: dict[str, dict[str, tuple[str, dict[str, str]]]] = {
    "python-timeout": {
        "traceback": (PY_TRACE + "TimeoutError: timed out", WITH_HOST),
        "errno": (PY_TRACE + "TimeoutError: [Errno 110] Connection timed out", WITH_HOST),
        "socket_timeout": ("socket.timeout: timed out", {}),
        "log": (f"2025-03-03 10:15:02 ERROR mailer: sending failed: TimeoutError('timed out') "
                f"(smtplib.SMTP('{HOST}', 587))", WITH_HOST),
    },
    "python-connection-refused": {
        "traceback": (PY_TRACE + "ConnectionRefusedError: [Errno 111] Connection refused",
                      WITH_HOST),
        "bare": ("ConnectionRefusedError: [Errno 111] Connection refused", {}),
        "logging": ("ERROR:root:could not send: [Errno 111] Connection refused "
                    "(ConnectionRefusedError)", {}),
    },
    "python-server-disconnected": {
        "traceback": (PY_TRACE + "smtplib.SMTPServerDisconnected: Connection unexpectedly "
                      "closed", WITH_HOST),
        "timed_out": ("smtplib.SMTPServerDisconnected: Connection unexpectedly closed: timed out",
                      {}),
        "bare": ("SMTPServerDisconnected('please run connect() first')", {}),
    },
    "java-could-not-connect": {
        "javamail": (f"javax.mail.MessagingException: Could not connect to SMTP host: {HOST}, "
                     "port: 587", WITH_HOST),
        "jakarta": (f"jakarta.mail.MessagingException: Could not connect to SMTP host: {HOST}, "
                    "port: 587, response: -1", WITH_HOST),
        "mailconnect": (f"com.sun.mail.util.MailConnectException: Couldn't connect to host, "
                        f"port: {HOST}, 587; timeout -1", WITH_HOST),
    },
    "java-connect-failed": {
        "nested": (f"javax.mail.MessagingException: Could not connect to SMTP host: {HOST}, "
                   "port: 587;\n  nested exception is:\n\tjava.net.ConnectException: "
                   "Connection timed out (Connection timed out)", WITH_HOST),
        "refused": ("Caused by: java.net.ConnectException: Connection refused\n"
                    "\tat java.base/sun.nio.ch.Net.connect0(Native Method)", {}),
        "socket_timeout": ("java.net.SocketTimeoutException: connect timed out", {}),
    },
    "node-etimedout": {
        "connect": ("Error: connect ETIMEDOUT 138.1.2.3:587\n    at TCPConnectWrap.afterConnect "
                    "[as oncomplete] (node:net:1555:16) {\n  errno: -110,\n  code: 'ETIMEDOUT',"
                    "\n  syscall: 'connect',\n  address: '138.1.2.3',\n  port: 587,\n"
                    "  command: 'CONN'\n}", {"host": "138.1.2.3", "ports": "587"}),
        "greeting": ("Error: Connection timeout\n" + NODE_AT + "  code: 'ETIMEDOUT',\n"
                     "  command: 'CONN'\n}", {}),
        "one_line": (f"Error: connect ETIMEDOUT {HOST}:587", WITH_HOST),
    },
    "node-econnrefused": {
        "connect": ("Error: connect ECONNREFUSED 127.0.0.1:587\n    at TCPConnectWrap."
                    "afterConnect [as oncomplete] (node:net:1555:16) {\n  errno: -111,\n"
                    "  code: 'ECONNREFUSED',\n  syscall: 'connect',\n  address: '127.0.0.1',\n"
                    "  port: 587,\n  command: 'CONN'\n}", {"host": "127.0.0.1", "ports": "587"}),
        "json": ('{"level":"error","msg":"send failed","err":{"code":"ECONNREFUSED",'
                 '"message":"connect ECONNREFUSED 10.0.0.5:25"}}',
                 {"host": "10.0.0.5", "ports": "25"}),
        "code_only": ("  code: 'ECONNREFUSED',", {}),
    },
    "dotnet-failure-sending-mail": {
        "bare": ("System.Net.Mail.SmtpException: Failure sending mail.", {}),
        "logged": ("fail: Mailer[0] System.Net.Mail.SmtpException: Failure sending mail.\n"
                   "   at System.Net.Mail.SmtpClient.Send(MailMessage message)", {}),
        "aggregate": ("Unhandled exception. System.Net.Mail.SmtpException: Failure sending mail."
                      "\n   at Program.Main()", {}),
    },
    "dotnet-socket-exception": {
        "inner_timeout": (
            "System.Net.Mail.SmtpException: Failure sending mail.\n ---> System.Net.Sockets."
            "SocketException (10060): A connection attempt failed because the connected party "
            "did not properly respond after a period of time, or established connection failed "
            "because connected host has failed to respond. 138.1.2.3:587\n"
            "   at System.Net.Sockets.Socket.Connect(EndPoint remoteEP)",
            {"host": "138.1.2.3", "ports": "587"}),
        "inner_refused": (
            "System.Net.Mail.SmtpException: Failure sending mail.\n ---> System.Net.Sockets."
            "SocketException (10061): No connection could be made because the target machine "
            "actively refused it. 127.0.0.1:25", {"host": "127.0.0.1", "ports": "25"}),
        "bare": ("System.Net.Sockets.SocketException (110): Connection timed out", {}),
    },
    "php-connect-failed": {
        "phpmailer": ("Mailer Error: SMTP connect() failed. https://github.com/PHPMailer/"
                      "PHPMailer/wiki/Troubleshooting", {}),
        "old": ("SMTP Error: Could not connect to SMTP host.", {}),
        "debug": (f"2025-03-03 10:15:02\tConnection: opening to {HOST}:587, timeout=300, "
                  "options=array()\n2025-03-03 10:15:32\tConnection failed. Error #2: "
                  "stream_socket_client(): Unable to connect to smtp.email.us-ashburn-1.oci."
                  "oraclecloud.com:587 (Connection timed out)\n2025-03-03 10:15:32\tSMTP ERROR: "
                  "Failed to connect to server: Connection timed out (110)\nSMTP connect() "
                  "failed. https://github.com/PHPMailer/PHPMailer/wiki/Troubleshooting",
                  WITH_HOST),
    },
    "postfix-connect-failed": {
        "timeout": (POSTFIX + f"connect to {HOST}[138.1.2.3]:587: Connection timed out",
                    WITH_HOST),
        "refused": (POSTFIX + f"connect to {HOST}[138.1.2.3]:25: Connection refused",
                    {"host": HOST, "ports": "25"}),
        "deferred": (POSTFIX + "4XyZ1C2: to=<alice@example.net>, relay=none, delay=30, "
                     "delays=0.01/0/30/0, dsn=4.4.1, status=deferred (connect to "
                     f"{HOST}[138.1.2.3]:587: Connection timed out)", WITH_HOST),
        "no_route": (POSTFIX + f"connect to {HOST}[138.1.2.3]:587: No route to host",
                     WITH_HOST),
    },
    "sendmail-connect-failed": {
        "timeout": ("Mar  3 10:15:02 app sm-mta[4321]: 2B3AbC012345: to=<alice@example.net>, "
                    f"delay=00:05:00, xdelay=00:05:00, mailer=relay, pri=120000, relay={HOST}., "
                    f"dsn=4.0.0, stat=Deferred: Connection timed out with {HOST}.",
                    {"host": HOST}),
        "refused": ("sendmail[99]: 2B3AbC012345: to=<alice@example.net>, mailer=relay, "
                    f"stat=Deferred: Connection refused by {HOST}.", {"host": HOST}),
        "mailq": (f"                 (Deferred: Connection timed out with {HOST}.)\n"
                  f"stat=Deferred: Connection timed out with {HOST}.", {"host": HOST}),
    },
    "python-certificate-verify-failed": {
        "traceback": (PY_TRACE + "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED]"
                      " certificate verify failed: self-signed certificate in certificate chain "
                      "(_ssl.c:1000)", WITH_HOST),
        "hostname": ("ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate "
                     "verify failed: Hostname mismatch, certificate is not valid for "
                     "'138.1.2.3'. (_ssl.c:1006)", {}),
        "urlerror": ("<urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed:"
                     " unable to get local issuer certificate (_ssl.c:1000)>", {}),
    },
    "python-tls-mode": {
        "traceback": (PY_TRACE.replace("smtplib.SMTP(", "smtplib.SMTP_SSL(")
                      + "ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number "
                      "(_ssl.c:1000)", WITH_HOST),
        "bare": ("ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:992)",
                 {}),
        "repr": ("SSLError(1, '[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)')",
                 {}),
    },
    "python-starttls-not-supported": {
        "traceback": (PY_TRACE.replace(", 587,", ", 465,") + "smtplib.SMTPNotSupportedError: "
                      "STARTTLS extension not supported by server.",
                      {"host": HOST, "ports": "465"}),
        "bare": ("smtplib.SMTPNotSupportedError: STARTTLS extension not supported by server.",
                 {}),
        "logged": ("ERROR mailer: SMTPNotSupportedError('STARTTLS extension not supported by "
                   "server.')", {}),
    },
    "python-auth-not-supported": {
        "traceback": (PY_LOGIN + "smtplib.SMTPNotSupportedError: SMTP AUTH extension not "
                      "supported by server.", {}),
        "bare": ("smtplib.SMTPNotSupportedError: SMTP AUTH extension not supported by server.",
                 {}),
        "logged": ("ERROR mailer: SMTPNotSupportedError('SMTP AUTH extension not supported by "
                   "server.')", {}),
    },
    "java-ssl-handshake": {
        "pkix": ("javax.mail.MessagingException: Could not convert socket to TLS;\n  nested "
                 "exception is:\n\tjavax.net.ssl.SSLHandshakeException: PKIX path building "
                 "failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to "
                 "find valid certification path to requested target", {}),
        "protocol": ("javax.net.ssl.SSLHandshakeException: No appropriate protocol (protocol is "
                     "disabled or cipher suites are inappropriate)", {}),
        "nested_connect": (f"jakarta.mail.MessagingException: Could not connect to SMTP host: "
                           f"{HOST}, port: 465;\n  nested exception is:\n\tjavax.net.ssl."
                           "SSLHandshakeException: Remote host terminated the handshake",
                           {"host": HOST, "ports": "465"}),
    },
    "node-esocket": {
        "self_signed": ("Error: self-signed certificate in certificate chain\n" + NODE_AT
                        + "  code: 'ESOCKET',\n  command: 'CONN'\n}", {}),
        "wrong_version": ("Error: C0A7E7B3F67F0000:error:0A00010B:SSL routines:"
                          "ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/"
                          "record/ssl3_record.c:355:\n" + NODE_AT + "  library: 'SSL routines',"
                          "\n  reason: 'wrong version number',\n  code: 'ESOCKET',\n"
                          "  command: 'CONN'\n}", {}),
        "json": ('{"err":{"code":"ESOCKET","command":"CONN","message":"unable to verify the '
                 'first certificate"}}', {}),
    },
    "mailkit-ssl-handshake": {
        "bare": ("MailKit.Security.SslHandshakeException: An error occurred while attempting "
                 "to establish an SSL or TLS connection.", {}),
        "wrapped": ("fail: Mailer[0]\n      MailKit.Security.SslHandshakeException: An error "
                    "occurred while attempting to establish an SSL or TLS connection.\n"
                    "       ---> System.Security.Authentication.AuthenticationException: "
                    "The remote certificate is invalid", {}),
        "at": ("MailKit.Security.SslHandshakeException: An error occurred\n   at MailKit.Net."
               "Smtp.SmtpClient.ConnectAsync(String host, Int32 port)", {}),
    },
    "postfix-tls-failed": {
        "verify": (POSTFIX + f"certificate verification failed for {HOST}[138.1.2.3]:587: "
                   "untrusted issuer /C=US/O=Example/CN=Example CA",
                   {"relayhost": f"[{HOST}]:587"}),
        "ssl_connect": (POSTFIX + f"SSL_connect error to {HOST}[138.1.2.3]:587: -1",
                        {"relayhost": f"[{HOST}]:587"}),
        "library": (POSTFIX + "warning: TLS library problem: error:0A000086:SSL routines::"
                    "certificate verify failed:../ssl/statem/statem_clnt.c:1889:", {}),
        "required": (POSTFIX + "4XyZ1C2: to=<alice@example.net>, relay=none, delay=1, "
                     f"dsn=4.7.4, status=deferred (TLS is required, but was not offered by host "
                     f"{HOST}[138.1.2.3])", {}),
    },
    "sendmail-tls-verify-failed": {
        "log": (f"Mar  3 10:15:02 app sm-mta[4321]: STARTTLS=client, relay={HOST}., "
                "version=TLSv1.2, verify=FAIL, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256/256",
                {}),
        "short": ("sendmail[99]: STARTTLS=client, relay=smtp.example.net, version=TLSv1.3, "
                  "verify=FAIL", {}),
        "grep": ("verify=FAIL", {}),
    },
    "python-authentication-error": {
        "traceback": (PY_LOGIN.replace("    smtp.login", f'    # smtplib.SMTP("{HOST}", 587)'
                                       "\n    smtp.login")
                      + "smtplib.SMTPAuthenticationError: (535, b'Authentication credentials "
                      "invalid')", WITH_HOST_PORT),
        "bare": ("smtplib.SMTPAuthenticationError: (535, b'Authentication credentials invalid')",
                 {}),
        "gmail_like": ("SMTPAuthenticationError(535, b'5.7.8 Username and Password not "
                       "accepted.')", {}),
    },
    "java-authentication-failed": {
        "javax": ("javax.mail.AuthenticationFailedException: 535 Authentication credentials "
                  "invalid\n\tat com.sun.mail.smtp.SMTPTransport$Authenticator.authenticate("
                  "SMTPTransport.java:947)", {}),
        "jakarta": ("jakarta.mail.AuthenticationFailedException: 535 Authentication credentials "
                    "invalid", {}),
        "spring": ("org.springframework.mail.MailAuthenticationException: Authentication "
                   "failed; nested exception is jakarta.mail.AuthenticationFailedException: "
                   "535 Authentication credentials invalid", {}),
    },
    "node-eauth": {
        "nodemailer": ("Error: Invalid login: 535 Authentication credentials invalid\n" + NODE_AT
                       + "  code: 'EAUTH',\n  response: '535 Authentication credentials "
                       "invalid',\n  responseCode: 535,\n  command: 'AUTH PLAIN'\n}", {}),
        "json": ('{"level":50,"err":{"code":"EAUTH","command":"AUTH PLAIN","responseCode":535}}',
                 {}),
        "one_line": ("Error: Invalid login: 535 Authentication credentials invalid", {}),
    },
    "dotnet-not-authenticated": {
        "required": ("System.Net.Mail.SmtpException: The SMTP server requires a secure connection"
                     " or the client was not authenticated. The server response was: "
                     "Authentication required", {}),
        "logged": ("fail: Mailer[0] System.Net.Mail.SmtpException: The SMTP server requires a "
                   "secure connection or the client was not authenticated. The server response "
                   "was: 5.7.0 Authentication Required", {}),
        "at": ("SmtpException: The SMTP server requires a secure connection or the client was "
               "not authenticated.\n   at System.Net.Mail.MailCommand.CheckResponse", {}),
    },
    "mailkit-authentication-failed": {
        "bare": ("MailKit.Security.AuthenticationException: 535: Authentication credentials "
                 "invalid", {}),
        "at": ("MailKit.Security.AuthenticationException: 535: Authentication credentials "
               "invalid\n   at MailKit.Net.Smtp.SmtpClient.AuthenticateAsync()", {}),
        "logged": ("fail: Mailer[0] MailKit.Security.AuthenticationException: "
                   "AuthenticationInvalidCredentials: 535: Authentication credentials invalid",
                   {}),
    },
    "php-could-not-authenticate": {
        "phpmailer": ("Mailer Error: SMTP Error: Could not authenticate.", {}),
        "debug": ("2025-03-03 10:15:02\tSERVER -> CLIENT: 535 Authentication credentials invalid"
                  "\n2025-03-03 10:15:02\tSMTP ERROR: AUTH command failed: 535 Authentication "
                  "credentials invalid\nSMTP Error: Could not authenticate.", {}),
        "exception": ("PHPMailer\\PHPMailer\\Exception: SMTP Error: Could not authenticate.", {}),
    },
    "postfix-sasl-failed": {
        "said": (POSTFIX + "4XyZ1C2: SASL authentication failed; server "
                 f"{HOST}[138.1.2.3] said: 535 Authentication credentials invalid", {}),
        "deferred": (POSTFIX + "4XyZ1C2: to=<a@example.net>, relay=" + HOST + "[138.1.2.3]:587,"
                     " delay=0.2, dsn=4.7.0, status=deferred (SASL authentication failed; "
                     f"server {HOST}[138.1.2.3] said: 535 Authentication credentials invalid)",
                     {}),
        "mechanism": (POSTFIX + "warning: SASL authentication failure: No worthy mechs found\n"
                      + POSTFIX + "4XyZ1C2: SASL authentication failed; cannot authenticate to "
                      f"server {HOST}[138.1.2.3]: no mechanism available", {}),
    },
    "sendmail-auth-failed": {
        "log": ("Mar  3 10:15:02 app sm-mta[4321]: 2B3AbC012345: AUTH=client, available "
                "mechanisms do not fulfill requirements", {}),
        "short": ("sendmail[99]: AUTH=client, available mechanisms do not fulfill requirements",
                  {}),
        "grep": ("AUTH=client, available mechanisms do not fulfill requirements", {}),
    },
}
"""Each client error as applications and mail servers print it, with the flow inputs the text
fills (host and port where the paste shows them)."""
