"""Public registries the platform checks: the property registry (등기부등본) today.

Apps reach it through `trustplatform.registries.providers` (`get_registry()`, `RegistrySnapshot`,
`RegistryUnavailable`); the sandbox provider reads `SandboxRegistryRecord` rows staff edit.
"""
