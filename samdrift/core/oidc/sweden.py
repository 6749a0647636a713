"""Names from the Swedish OIDC specifications (oidc-sweden: claims and scopes, request parameter
extensions, signature extension), spelled once for the provider, the relying party and the
development provider."""

CLAIM = "https://id.oidc.se/claim/"
ORG_AFFILIATION = CLAIM + "orgAffiliation"
ORG_NUMBER = CLAIM + "orgNumber"
ORG_NAME = CLAIM + "orgName"
AUTHN_PROVIDER = CLAIM + "authnProvider"
CREDENTIAL_VALID_FROM = CLAIM + "credentialValidFrom"
CREDENTIAL_VALID_TO = CLAIM + "credentialValidTo"

SCOPE_ORG_ID = "https://id.oidc.se/scope/naturalPersonOrgId"
SCOPE_PERSON_INFO = "https://id.oidc.se/scope/naturalPersonInfo"
SCOPE_SIGN_APPROVAL = "https://id.oidc.se/scope/signApproval"

PARAM_SIGN_REQUEST = "https://id.oidc.se/param/signRequest"
PARAM_USER_MESSAGE = "https://id.oidc.se/param/userMessage"

DISCO_USER_MESSAGE = "https://id.oidc.se/disco/userMessageSupported"
DISCO_USER_MESSAGE_TYPES = "https://id.oidc.se/disco/userMessageSupportedMimeTypes"
DISCO_AUTHN_PROVIDER = "https://id.oidc.se/disco/authnProviderSupported"
