"""EFOS as an OpenID provider for officials who log in with their EFOS certificate."""
