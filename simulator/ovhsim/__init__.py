"""Local simulator of OVHcloud's domain task API (``/me/task/domain`` and ``/domain/{serviceName}/task``)."""

__version__ = "0.1.0"
