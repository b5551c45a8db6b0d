"""The Basic check `connexion run --mock=all` needs to accept the page's account.

connexion's mock mode refuses every request when the spec's basicAuth scheme has no
function; peers are run with BASICINFO_FUNC=connexion_mock_auth.basic_info.
"""


def basic_info(username, password, required_scopes=None):
    return {"sub": username} if (username, password) == ("username", "password") else None
