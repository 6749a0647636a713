"""One OpenID Connect core for samdrift's three OIDC parts (ADR 0030).

The EFOS provider, the development provider and the relying party share these rules instead of
keeping three copies. Every module is plain Python on joserfc (and Authlib's PKCE helper), no
Django, so the development provider can run without it; only `django_responses` builds Django responses.

- `pkce`: S256 challenges and verification (`plain` never; Swedish profile §2.1.8).
- `tokens`: JWT header inspection, signature, and claim checks with one clock skew (60 s).
- `assertions`: `private_key_jwt` client assertions, created and verified, `jti` replay store.
- `request_objects`: signed request objects by value, created and verified.
- `authorization`: the requested `acr` (essential or voluntary), answers at the redirect URI.
- `subject`: pairwise `sub`.
- `signing`: JWS signing with the algorithm that fits the key (ES256, RS256).
- `discovery`: the provider metadata document with the profile's fixed fields.
- `responses` (+ `django_responses`): token and error bodies, `no-store` headers,
  `WWW-Authenticate: Bearer`.
"""

#: Allowed clock difference between us and the other party, on exp, iat and nbf (ADR 0030).
CLOCK_SKEW_SECONDS = 60

#: Algorithms we accept on JWTs others sign (client assertions, request objects, ID tokens).
#: RS256 and ES256 are required by the Swedish profile; `none` never appears.
ACCEPTED_ALGORITHMS = ("ES256", "ES384", "RS256", "PS256")
