from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = _("vault")

    def ready(self) -> None:
        from vault import signals  # noqa: F401  (ending a membership revokes the key)
        from vault.registry import register

        # Every sealed field of the apps (see vault/registry.py); a model named
        # here that does not exist is skipped. A test fails when a binary field
        # is missing from this list.
        def appeal_scope(o):
            return o.vault_scope

        def via_appeal(o):
            return o.appeal.vault_scope

        register("appeals.Appeal", "text_sealed", scope=appeal_scope, appeal="")
        register("appeals.Appeal", "author_sealed", scope=appeal_scope, appeal="", part="identity")
        register("appeals.Appeal", "extension_reason_sealed", scope=appeal_scope, appeal="")
        for model, field in (
            ("appeals.Note", "text_sealed"),
            ("appeals.Forwarding", "cover_sealed"),
            ("appeals.Answer", "text_sealed"),
            ("appeals.Message", "body_sealed"),
            ("appeals.Attachment", "name_sealed"),
            ("appeals.Attachment", "content_sealed"),
            # Sealed to the writer's key (derived from the receipt code), not to a scope key:
            # rotation leaves them, retention erases them.
            ("appeals.FollowUp", "text_for_writer"),
            ("appeals.Message", "body_for_writer"),
        ):
            register(model, field, scope=via_appeal, appeal="appeal")
        register("commission.Order", "scan_sealed", scope=lambda o: o.commission.school.vault_scope)
        register("openings.Page", "sealed", scope=lambda o: o.opening.school.vault_scope)
        # Journal columns are covered by the chain's sealed_digest: never re-sealed.
        register("journal.Record", "sealed", scope=lambda o: o.volume.vault_scope, reseal=False, appeal="appeal")
