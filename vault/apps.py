from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = _("vault")

    def ready(self) -> None:
        from vault import signals  # noqa: F401  (membership changes revoke keys)
        from vault.registry import register

        # The sealed fields known when the vault was written; other apps may
        # register theirs from their own ready() (see vault/registry.py).
        register("appeals.Appeal", "text_sealed", scope=lambda o: o.vault_scope, appeal="")
        register("appeals.Appeal", "author_sealed", scope=lambda o: o.vault_scope, appeal="")
        # Journal columns are covered by the chain's sealed_digest: never re-sealed.
        register("journal.Record", "sealed", scope=lambda o: o.volume.vault_scope, reseal=False, appeal="appeal")
