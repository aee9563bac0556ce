"""Enumerations of the OVHcloud API v1 that the simulator checks.

Values come from a June 2024 copy of the API's schema for /me (me.json).
``OPERATION_TYPES`` comes from the September 2025 OpenAPI rendering of the same API.
"""

OPERATION_STATUSES = ("cancelled", "doing", "done", "error", "problem", "todo")

OPERATION_TYPES = ("alldom", "domain")

OPERATION_FUNCTIONS = (
    "ContactControl", "ContactControlAcknowledge", "ContactControlCorrect", "ContactControlNotify",
    "DnsAnycastActivate", "DnsAnycastDeactivate", "DnssecDisable", "DnssecEnable", "DnssecResigning",
    "DnssecRollKsk", "DnssecRollZsk", "DomainAfterMarket", "DomainContactControl", "DomainContactUpdate",
    "DomainControl", "DomainCreate", "DomainDelete", "DomainDnsUpdate", "DomainDsUpdate",
    "DomainEmailRedirectionsCreate", "DomainEmailRedirectionsDelete", "DomainHold", "DomainHostCreate",
    "DomainHostDelete", "DomainHostUpdate", "DomainIncomingTransfer", "DomainLock", "DomainOutgoingTransfer",
    "DomainRegistryDelete", "DomainRenew", "DomainResourceDelete", "DomainRestore", "DomainTrade",
    "DomainUnhold", "DomainUnlock", "ZoneImport",
)

OPERATION_ACTIONS = ("canCancel", "canCorrect", "canRelaunch", "canReset")

DOCUMENT_FORMATS = ("gif", "jpeg", "jpg", "pdf", "png")

CONTACT_FIELDS = (
    "address.city", "address.country", "address.line1", "address.line2", "address.line3",
    "address.otherDetails", "address.province", "address.zip", "birthCity", "birthCountry", "birthDay",
    "birthZip", "cellPhone", "companyNationalIdentificationNumber", "email", "fax", "firstName", "gender",
    "language", "lastName", "legalForm", "nationalIdentificationNumber", "nationality", "organisationName",
    "organisationType", "phone", "spareEmail", "vat",
)

HTTP_METHODS = ("DELETE", "GET", "POST", "PUT")

CREDENTIAL_STATES = ("expired", "pendingValidation", "refused", "validated")

# me.contact.Contact: enumerations of nichandle.LanguageEnum, nichandle.LegalFormEnum and
# nichandle.GenderEnum, from the same June 2024 copy of me.json.
CONTACT_LANGUAGES = (
    "cs_CZ", "de_DE", "en_AU", "en_CA", "en_GB", "en_IE", "en_US", "es_ES", "fi_FI", "fr_CA",
    "fr_FR", "fr_MA", "fr_SN", "fr_TN", "it_IT", "lt_LT", "nl_NL", "pl_PL", "pt_PT",
)

CONTACT_LEGAL_FORMS = ("administration", "association", "corporation", "individual", "other", "personalcorporation")

CONTACT_GENDERS = ("female", "male")
