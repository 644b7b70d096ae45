"""Settings of the audit service, with safe local defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr

from shared.settings import CommonSettings


class AuditSettings(CommonSettings):
    """What the audit service reads from the environment."""

    http_port: int = Field(
        default=8084,
        validation_alias=AliasChoices("AUDIT_HTTP_PORT", "http_port"),
        ge=0,
        le=65535,
        description="port of the compliance API",
    )
    audit_signing_key: SecretStr = Field(
        default=SecretStr(""),
        description="Ed25519 private key signing checkpoints: a file path (PEM or raw base64) or a "
        "base64 key. Empty: a development key generated under FRONTDESK_DATA_DIR.",
    )
    audit_verify_keys: str = Field(
        default="",
        description="extra base64 Ed25519 public keys trusted on checkpoints (rotated keys), comma-separated",
    )
    frontdesk_data_dir: Path = Field(default=Path(".data"), description="where the dev signing key lives")
    audit_writer_role: str = Field(
        default="frontdesk_audit_writer",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="database role that may only INSERT and SELECT the log; every append runs as it",
    )
    audit_batch_size: int = Field(default=1000, ge=1, le=10_000, description="records fetched per pull")
    audit_checkpoint_interval_seconds: float = Field(
        default=300.0, gt=0, description="how often each spa's chain head is signed"
    )
    audit_retention_months: int = Field(
        default=72,
        ge=72,
        description="months a record is kept (at least six years: HIPAA documentation retention)",
    )
    audit_checkpoint_export: Path | None = Field(
        default=None,
        description="AUDIT_CHECKPOINT_EXPORT: a directory outside the database's control (another "
        "volume or a mounted object store) where every signed checkpoint and retention mark is also "
        "appended, one file per spa; verify holds the database to it",
    )
    audit_partitions_ahead: int = Field(default=2, ge=1, le=24, description="monthly partitions made ahead")
    audit_api_url: str = Field(default="http://127.0.0.1:8084", description="the API the CLI talks to")
    audit_token: SecretStr = Field(default=SecretStr(""), description="API token the CLI presents")
