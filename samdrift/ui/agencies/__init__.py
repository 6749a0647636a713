"""Agency pages: the register, one agency with what other apps know of it, its members."""
