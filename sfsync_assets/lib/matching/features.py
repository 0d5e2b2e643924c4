"""Matching features: the canonical records reduced to the normalised columns the rules and the model compare.

One row per staged record, keyed by `source_key`. Records that share a pooling key (`pool_features_by`, e.g. the
ERP customer number) lend each other the features they lack: an ERP billing address and its customer row are
one record in the ERP, split in two by staging, and each alone is too thin to compare with a Salesforce Account.
`fingerprint` hashes every (pooled) feature, so a later run can tell which records changed since they were last
matched (only those are scored again). `source_hash` hashes what the features are computed from (the staged row,
the name of its organization, the feature SQL itself): a later run recomputes only the records whose source_hash
changed, and the pools they belong to, and takes every other record's features as stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from .nicknames import NICKNAME_TABLE, install_nickname_groups
from .text import TEXT_MACROS, fold, install_text_functions

if TYPE_CHECKING:
    from pathlib import Path

    from .settings import EntityType, MatchingSettings

LINEAGE_FEATURES = ("source_key", "source_system", "source_object", "source_id", "is_deleted")
FEATURE_COLUMNS: dict[str, tuple[str, ...]] = {
    "person": (
        *LINEAGE_FEATURES,
        "first_name",
        "last_name",
        "first_name_group",
        "email",
        "email_local",
        "email_domain_label",
        "email_is_free_mail",
        "phone",
        "mobile",
        "phones",
        "postcode",
        "city",
        "country",
        "birthdate",
        "organization_name",
        "erp_contact_id",
        "golden_id",
    ),
    "organization": (
        *LINEAGE_FEATURES,
        "name_key",
        "name_first_token",
        "phone",
        "website",
        "postcode",
        "city",
        "country",
        "tax_id",
        "credit_limit",
        "erp_customer_id",
        "golden_id",
    ),
}
STAGED_TABLES = {"person": "staged.person", "organization": "staged.organization"}


# Columns the features never read: a record re-staged with nothing else changed keeps its features.
NOT_FEATURE_INPUTS = ("ingest_run_id", "source_updated_at")
SOURCE_HASHES = "sfsync_source_hashes"
RECOMPUTE = "sfsync_recompute"
FRESH = "sfsync_fresh_features"
RECOMPUTED = "sfsync_recomputed_features"
TOUCHED = "sfsync_touched_features"


@dataclass(frozen=True)
class CurrentFeatures:
    """Where the current features of every staged record are read (`relation`), and, when earlier features were
    reused, the table `touched` of the keys whose features may differ from the stored ones (recomputed or no
    longer staged) and the table `recomputed` of those still staged, with their current features: every other
    record's features are the stored ones, unchanged."""

    relation: str
    touched: str | None = None
    recomputed: str | None = None

    def drop(self, connection: duckdb.DuckDBPyConnection) -> None:
        if self.touched is None:
            connection.execute(f"DROP TABLE {self.relation}")
            return
        connection.execute(
            f"DROP VIEW {self.relation}; DROP TABLE {self.touched}; DROP TABLE {self.recomputed}"
        )


def compute_features(
    connection: duckdb.DuckDBPyConnection,
    entity_type: EntityType,
    settings: MatchingSettings,
    nicknames_file: Path,
    reuse: str | None = None,
) -> CurrentFeatures:
    """Build the features of every staged record of `entity_type` (a temporary table); returns where to read them.

    With `reuse` (a table of earlier features with their `source_hash`), only records whose source changed, and
    the records pooled with them, are computed again: at a million records the text folding costs seconds, a
    run with 1 % changes should not pay it for the other 99 %. The features are then a view over `reuse`
    and the recomputed records, so the unchanged 99 % are not copied either (the view stays right while `reuse`
    takes the recomputed records in: they are read from the recomputed table)."""
    install_text_functions(connection)
    install_nickname_groups(connection, nicknames_file)
    unpooled = _person_sql(settings) if entity_type == "person" else _organization_sql(settings)
    version = hashlib.sha256((unpooled + TEXT_MACROS).encode() + nicknames_file.read_bytes()).hexdigest()
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE {SOURCE_HASHES} AS {_source_hashes_sql(entity_type, version[:16])}"
    )
    pool_keys = settings.entity(entity_type).pool_features_by
    if reuse is None:
        fresh = unpooled.replace("{source}", STAGED_TABLES[entity_type])
    else:
        connection.execute(
            f"CREATE OR REPLACE TEMP TABLE {RECOMPUTE} AS SELECT source_key FROM {SOURCE_HASHES} AS h "
            f"ANTI JOIN {reuse} AS r ON r.source_key = h.source_key AND r.source_hash = h.source_hash"
        )
        _compute_unpooled(connection, entity_type, unpooled, RECOMPUTE, replace=True)
        if pool_keys:
            _widen_to_pools(connection, entity_type, unpooled, reuse, pool_keys)
        fresh = f"SELECT * FROM {FRESH}"
    for key in pool_keys:
        fresh = _pooled_sql(fresh, entity_type, key)
    fingerprinted = ", ".join(FEATURE_COLUMNS[entity_type][1:])
    computed = f"sfsync_current_{entity_type}_features" if reuse is None else RECOMPUTED
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {computed} AS
        SELECT p.*, h.source_hash, md5(concat_ws('|', {fingerprinted})) AS fingerprint
        FROM ({fresh}) AS p JOIN {SOURCE_HASHES} AS h USING (source_key)
        """
    )
    if reuse is None:
        connection.execute(f"DROP TABLE {SOURCE_HASHES}")
        return CurrentFeatures(computed)
    view = f"sfsync_current_{entity_type}_features_view"
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {TOUCHED} AS
            SELECT source_key FROM {RECOMPUTE}
            UNION SELECT source_key FROM {reuse} ANTI JOIN {SOURCE_HASHES} USING (source_key);
        CREATE OR REPLACE TEMP VIEW {view} AS
            SELECT {", ".join(FEATURE_COLUMNS[entity_type])}, source_hash, fingerprint
            FROM {reuse} ANTI JOIN {TOUCHED} USING (source_key)
            UNION ALL SELECT * FROM {RECOMPUTED};
        DROP TABLE {SOURCE_HASHES};
        DROP TABLE {RECOMPUTE};
        DROP TABLE {FRESH};
        """
    )
    return CurrentFeatures(view, TOUCHED, RECOMPUTED)


def _source_hashes_sql(entity_type: EntityType, version: str) -> str:
    """(source_key, source_hash) of every staged record: its row without bookkeeping columns, the feature SQL's
    version and, for persons, the name of the organization the record points to."""
    row = f"(SELECT * EXCLUDE ({', '.join(NOT_FEATURE_INPUTS)}) FROM {STAGED_TABLES[entity_type]}) AS s"
    if entity_type == "organization":
        return f"SELECT s.source_key, hash(s, '{version}') AS source_hash FROM {row}"
    return f"""
        SELECT s.source_key, hash(s, o.Name, o.name_normalized, '{version}') AS source_hash
        FROM {row} LEFT JOIN {STAGED_TABLES["organization"]} AS o ON o.source_key = s.organization_source_key
    """


def _compute_unpooled(
    connection: duckdb.DuckDBPyConnection, entity_type: EntityType, unpooled: str, keys: str, replace: bool
) -> None:
    """The unpooled features of the staged records listed in table `keys`, into (or added to) FRESH."""
    source = f"(SELECT * FROM {STAGED_TABLES[entity_type]} SEMI JOIN {keys} USING (source_key))"
    select = unpooled.replace("{source}", source)
    if replace:
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {FRESH} AS {select}")
    else:
        connection.execute(f"INSERT INTO {FRESH} {select}")


def _widen_to_pools(
    connection: duckdb.DuckDBPyConnection,
    entity_type: EntityType,
    unpooled: str,
    reuse: str,
    keys: list[str],
) -> None:
    """Recompute every reused record that shares a pooling key value with a recomputed or removed record (before
    or after the change): the features it borrowed from them may have changed."""
    while True:
        touched = " UNION ".join(
            f"""
            SELECT r.source_key FROM {reuse} AS r
            SEMI JOIN {SOURCE_HASHES} AS h USING (source_key)
            ANTI JOIN {RECOMPUTE} AS c USING (source_key)
            WHERE r.{key} IN (
                SELECT {key} FROM {FRESH}
                UNION ALL SELECT r.{key} FROM {reuse} AS r ANTI JOIN {SOURCE_HASHES} AS h USING (source_key)
                UNION ALL SELECT r.{key} FROM {reuse} AS r SEMI JOIN {RECOMPUTE} AS c USING (source_key)
            )"""
            for key in keys
        )
        connection.execute(f"CREATE OR REPLACE TEMP TABLE sfsync_pool_members AS {touched}")
        if not connection.execute("SELECT count(*) FROM sfsync_pool_members").fetchall()[0][0]:
            connection.execute("DROP TABLE sfsync_pool_members")
            return
        connection.execute(f"INSERT INTO {RECOMPUTE} SELECT source_key FROM sfsync_pool_members")
        _compute_unpooled(connection, entity_type, unpooled, "sfsync_pool_members", replace=False)


def _pooled_sql(select: str, entity_type: EntityType, key: str) -> str:
    """Fill each record's empty features from the other records with the same non-empty `key`."""
    own = {*LINEAGE_FEATURES, key, "golden_id"}
    pooled = ", ".join(
        f"coalesce({column}, max({column}) OVER (PARTITION BY {key})) AS {column}"
        if column != "phones"
        else f"CASE WHEN len(phones) = 0 THEN max(phones) OVER (PARTITION BY {key}) ELSE phones END AS phones"
        for column in FEATURE_COLUMNS[entity_type]
        if column not in own
    )
    return (
        f"SELECT * REPLACE ({pooled}) FROM ({select}) AS unpooled WHERE {key} IS NOT NULL "
        f"UNION ALL SELECT * FROM ({select}) AS unpooled WHERE {key} IS NULL"
    )


def _sql_list(values: list[str]) -> str:
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values) or "NULL"


def _person_sql(settings: MatchingSettings) -> str:
    """Persons, with the name of the organization each record points to in its own system: two namesakes at
    different companies differ there even when their email domains do not tell."""
    free_mail = _sql_list([domain.lower() for domain in settings.free_mail_domains])
    return f"""
        WITH employers AS (
            SELECT source_key AS organization_source_key, {_organization_name_sql(settings)} AS organization_name
            FROM {STAGED_TABLES["organization"]}
            WHERE source_key IN (SELECT organization_source_key FROM {{source}})
        ),
        named AS (
            SELECT *,
                sfsync_fold(FirstName) AS first_name,
                sfsync_fold(LastName) AS last_name,
                nullif(lower(trim(Email)), '') AS email_address
            FROM {{source}}
        )
        SELECT
            source_key, source_system, source_object, source_id, coalesce(is_deleted, false) AS is_deleted,
            first_name,
            last_name,
            coalesce(groups.name_group, first_name) AS first_name_group,
            email_address AS email,
            nullif(split_part(email_address, '@', 1), '') AS email_local,
            nullif(split_part(split_part(email_address, '@', 2), '.', 1), '') AS email_domain_label,
            coalesce(split_part(email_address, '@', 2) IN ({free_mail}), false) AS email_is_free_mail,
            nullif(trim(Phone), '') AS phone,
            nullif(trim(MobilePhone), '') AS mobile,
            list_distinct(list_filter([nullif(trim(Phone), ''), nullif(trim(MobilePhone), '')],
                                      lambda x: x IS NOT NULL)) AS phones,
            sfsync_alnum(MailingPostalCode) AS postcode,
            sfsync_fold(MailingCity) AS city,
            upper(nullif(trim(MailingCountry), '')) AS country,
            Birthdate AS birthdate,
            employers.organization_name,
            nullif(trim(ERP_Contact_Id__c), '') AS erp_contact_id,
            nullif(trim(Golden_Id__c), '') AS golden_id
        FROM named
        LEFT JOIN {NICKNAME_TABLE} AS groups ON groups.name = named.first_name
        LEFT JOIN employers USING (organization_source_key)
    """


def _legal_suffix_regex(settings: MatchingSettings) -> str:
    """` (ltd|co ltd|gmbh|...)` repeated at the end of a folded name, longest alternatives first."""
    suffixes = sorted(
        {fold(suffix) for suffix in settings.legal_suffixes} - {""}, key=lambda suffix: (-len(suffix), suffix)
    )
    if not suffixes:
        return "$^"
    return "( (" + "|".join(suffixes) + "))+$"


def _organization_name_sql(settings: MatchingSettings) -> str:
    """The folded company name without its legal form (`Highland Beverages, Ltda.` → `highland beverages`)."""
    suffixes = _legal_suffix_regex(settings).replace("'", "''")
    return f"nullif(trim(regexp_replace(sfsync_fold(coalesce(Name, name_normalized)), '{suffixes}', '')), '')"


def _organization_sql(settings: MatchingSettings) -> str:
    return f"""
        WITH named AS (
            SELECT *, {_organization_name_sql(settings)} AS name_key
            FROM {{source}}
        )
        SELECT
            source_key, source_system, source_object, source_id, coalesce(is_deleted, false) AS is_deleted,
            name_key,
            split_part(name_key, ' ', 1) AS name_first_token,
            nullif(trim(Phone), '') AS phone,
            nullif(regexp_replace(lower(trim(Website)), '^(https?://)?(www\\.)?([^/]*).*$', '\\3'), '') AS website,
            sfsync_alnum(BillingPostalCode) AS postcode,
            sfsync_fold(BillingCity) AS city,
            upper(nullif(trim(BillingCountry), '')) AS country,
            sfsync_alnum(Tax_Id__c) AS tax_id,
            Credit_Limit__c AS credit_limit,
            nullif(trim(ERP_Customer_Id__c), '') AS erp_customer_id,
            nullif(trim(Golden_Id__c), '') AS golden_id
        FROM named
    """
