"""EFOS views: pages (`pages`), PKI endpoints (`pki`) and the OpenID provider (`oidc`)."""
