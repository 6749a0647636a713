"""The EFOS certificate authority: key handling, certificate profiles, CRL and OCSP."""
