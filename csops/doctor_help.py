"""What ``csops doctor`` says about a connection or a login that failed, in words a person can act on."""

from __future__ import annotations

import re
import socket
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from connectors.http import RetryPolicy

#: One try per service, short timeouts: doctor answers in seconds, never after minutes of retries.
DOCTOR_POLICY = RetryPolicy(max_attempts=1, max_wait_seconds=0.0, connect_timeout=5.0, read_timeout=20.0)

LOGIN_FAULTS = {
    "INVALID_LOGIN": "Salesforce refused the username, password or security token. Check salesforce.username; "
                     "the password and the security token go in the variables csops.yaml names (the token is the "
                     "one e-mailed by Settings > Reset My Security Token; it is appended to the password). The "
                     "user may also be locked out, or frozen.",
    "LOGIN_MUST_USE_SECURITY_TOKEN": "this login needs the security token (Settings > Reset My Security Token) in "
                                     "the variable salesforce.security_token names",
    "API_DISABLED_FOR_ORG": "the API is not enabled: the integration user's profile needs 'API Enabled' (and the "
                            "edition must include the API)",
    "API_CURRENTLY_DISABLED": "the API is not enabled: the integration user's profile needs 'API Enabled'",
    "INVALID_SESSION_ID": "the session id is invalid or expired: with auth: session, get a new one; otherwise use "
                          "password, jwt or client_credentials so csops can log in again",
    "invalid_grant": "the connected app refused the grant: for jwt, the user must be pre-authorised for the app and "
                     "the app's certificate must match salesforce.private_key_file; for client_credentials, the app "
                     "needs a Run As user; and salesforce.domain must be the org's login domain",
    "invalid_client_id": "salesforce.consumer_key is not the connected app's consumer key",
    "invalid_client": "salesforce.consumer_key or consumer_secret is wrong",
}


def login_fix(message: str) -> str | None:
    """The explanation for the first login fault code in ``message``."""
    for code, fix in LOGIN_FAULTS.items():
        if re.search(rf"\b{code}\b", message):
            return f"{code}: {fix}"
    return None


def unreachable(url: str, timeout: float = 3.0) -> str | None:
    """Why nothing can be reached at ``url`` (refused, no answer, unknown host), or None when a TCP connection opens.

    Skipped when a proxy is configured: then only the proxy can tell.
    """
    parts = urlsplit(url)
    if not parts.hostname or urllib.request.getproxies():
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return None
    except ConnectionRefusedError:
        return f"nothing is listening at {url} (connection refused)"
    except TimeoutError:
        return f"no answer from {url} within {timeout:g} s (a firewall, or the wrong host)"
    except socket.gaierror:
        return f"the host name {parts.hostname} does not resolve (check the URL, and this machine's DNS)"
    except OSError as exc:
        return f"cannot connect to {url}: {exc.strerror or exc}"


def unset_variables(problems: list[str]) -> list[str]:
    """Every ``${VAR}`` named in the config's unset-variable problems, in order, once."""
    names = [m for p in problems for m in re.findall(r"\$\{(\w+)", p)]
    return list(dict.fromkeys(names))


def env_fix(names: list[str], base_dir: Path) -> str:
    for folder in (base_dir, Path.cwd()):
        env_file = folder / ".csops" / "sandbox.env"
        if env_file.exists():
            return f"this looks like a sandbox config: load its credentials with  . {env_file}"
    return "set them in the environment, e.g. " + " ".join(f"export {n}=…" for n in names)
