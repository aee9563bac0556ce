"""Account objects that task arguments point to: documents (``/me/document``) and contacts (``/me/contact``).

A document's file is uploaded with an unsigned PUT of the raw bytes to its
``putUrl``, which the simulator serves under ``/_storage/documents/<id>``, and
read back from its ``getUrl`` (the same address, with GET).
"""

from __future__ import annotations

import copy
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime

from .clock import SimClock, format_datetime
from .errors import object_not_found
from .scenario import ArgumentSpec, DocumentSpec

STORAGE_PREFIX = "/_storage/documents/"

# NOTE: OVHcloud documents no size limit for /me/document uploads, so 10 MiB is a guess.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@dataclass
class Document:
    id: str
    name: str
    size: int
    tags: tuple[tuple[str, str], ...]
    creation_date: datetime
    validation_date: datetime | None
    expiration_date: datetime | None
    # Uploaded bytes, or None for a document declared in the scenario or not uploaded yet.
    content: bytes | None = None

    @property
    def extension(self) -> str:
        """Lower-case file name extension without the dot, or "" when the name has none."""
        stem, dot, extension = self.name.rpartition(".")
        return extension.lower() if dot and stem else ""

    def to_api(self, base_url: str) -> dict:
        url = f"{base_url}{STORAGE_PREFIX}{self.id}"
        return {
            "id": self.id,
            "name": self.name,
            "size": self.size,
            "tags": [{"key": key, "value": value} for key, value in self.tags],
            "creationDate": format_datetime(self.creation_date),
            "validationDate": format_datetime(self.validation_date),
            "expirationDate": format_datetime(self.expiration_date),
            # NOTE: real putUrl and getUrl point to object storage with a temporary
            # signature, whereas these plain addresses never expire.
            "putUrl": url,
            "getUrl": url,
        }


class DocumentStore:
    """Documents of one scenario run. Every public method is thread-safe."""

    def __init__(self, specs: tuple[DocumentSpec, ...], clock: SimClock):
        self._clock = clock
        self._lock = threading.Lock()
        now = clock.now()
        self._documents = {
            spec.id: Document(id=spec.id, name=spec.name, size=spec.size, tags=spec.tags,
                              creation_date=spec.creation_date or now, validation_date=spec.validation_date,
                              expiration_date=spec.expiration_date)
            for spec in specs
        }

    def ids(self) -> list[str]:
        """Return the document ids in creation order, the scenario's documents first."""
        with self._lock:
            return list(self._documents)

    def create(self, name: str, tags: tuple[tuple[str, str], ...], base_url: str) -> dict:
        document = Document(id=str(uuid.uuid4()), name=name, size=0, tags=tags, creation_date=self._clock.now(),
                            validation_date=None, expiration_date=None)
        with self._lock:
            self._documents[document.id] = document
        return document.to_api(base_url)

    def get(self, document_id: str, base_url: str) -> dict:
        """Return one document as the API shows it. Raises ApiError 404."""
        with self._lock:
            return self._find(document_id).to_api(base_url)

    def delete(self, document_id: str) -> None:
        with self._lock:
            self._find(document_id)
            del self._documents[document_id]

    def upload(self, document_id: str, content: bytes) -> None:
        """Store the file of a document, replacing any earlier upload. Raises ApiError 404."""
        with self._lock:
            document = self._find(document_id)
            document.content = content
            document.size = len(content)

    def download(self, document_id: str) -> bytes:
        """Return the uploaded bytes of a document (empty when nothing was uploaded). Raises ApiError 404."""
        with self._lock:
            return self._find(document_id).content or b""

    def snapshot(self, base_url: str) -> list[dict]:
        with self._lock:
            return [document.to_api(base_url) for document in self._documents.values()]

    def accepts(self, spec: ArgumentSpec, value: str | None) -> bool:
        """Tell whether the registry takes document ``value`` for the /me/document argument ``spec``.

        The document must exist, have an uploaded file, carry a name whose
        extension is in acceptedFormats, and fit minimumSize and maximumSize
        (in bytes) when the argument sets them.
        """
        with self._lock:
            document = self._documents.get(value or "")
            if document is None or document.size <= 0:
                return False
            if spec.accepted_formats is not None and document.extension not in spec.accepted_formats:
                return False
            if spec.minimum_size is not None and document.size < spec.minimum_size:
                return False
            if spec.maximum_size is not None and document.size > spec.maximum_size:
                return False
            return True

    def _find(self, document_id: str) -> Document:
        document = self._documents.get(document_id)
        if document is None:
            raise object_not_found("id", document_id)
        return document


class ContactStore:
    """Read-only contacts of one scenario run, as complete me.contact.Contact objects."""

    def __init__(self, contacts: tuple[dict, ...]):
        self._contacts = {contact["id"]: contact for contact in contacts}

    def ids(self) -> list[int]:
        return sorted(self._contacts)

    def get(self, contact_id: int) -> dict:
        """Return a copy of one contact. Raises ApiError 404."""
        contact = self._contacts.get(contact_id)
        if contact is None:
            raise object_not_found("contactId", contact_id)
        return copy.deepcopy(contact)

    def snapshot(self) -> list[dict]:
        return [copy.deepcopy(self._contacts[contact_id]) for contact_id in self.ids()]

    def accepts(self, spec: ArgumentSpec, value: str | None) -> bool:
        """Tell whether the registry takes contact ``value`` for the /me/contact argument ``spec``.

        The value must be the id of a known contact in which every property
        named in the argument's ``fields`` is set (``address.zip`` names the
        zip of the address).
        """
        if value is None or not value.isdigit():
            return False
        contact = self._contacts.get(int(value))
        if contact is None:
            return False
        return all(_contact_field(contact, name) is not None for name in spec.fields or ())


def _contact_field(contact: dict, name: str) -> object:
    head, dot, tail = name.partition(".")
    value = contact.get(head)
    if dot:
        value = value.get(tail) if isinstance(value, dict) else None
    # A blank string counts as unset.
    return None if value == "" else value


class Account:
    """Documents and contacts of one scenario run, and the registry's check of arguments that point to them."""

    def __init__(self, documents: DocumentStore, contacts: ContactStore):
        self.documents = documents
        self.contacts = contacts

    def argument_accepts(self, spec: ArgumentSpec, value: str | None) -> bool:
        """Apply the argument's accept_document and accept_contact_fields rules to ``value``."""
        if spec.accept_document and not self.documents.accepts(spec, value):
            return False
        if spec.accept_contact_fields and not self.contacts.accepts(spec, value):
            return False
        return True
