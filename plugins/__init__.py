"""Built-in AfterSales plugins. Each subpackage is one business capability, declared as an
``aftersales.plugins`` entry point in pyproject.toml exactly like a third-party plugin."""
