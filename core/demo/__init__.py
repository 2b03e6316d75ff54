"""Demo data: every enabled plugin's ``aftersales_load_demo``, in dependency order."""
