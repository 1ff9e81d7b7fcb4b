"""A real SMTP server (Debian's python3-aiosmtpd) on a loopback port, in this process,
that keeps every message it receives and can refuse chosen recipients."""

import email
import email.policy
import threading

from aiosmtpd.controller import Controller

from harness import free_port


class SmtpReceiver:
    """Starts on `port` (None: a free one). `.messages` lists (envelope recipients,
    parsed email.message.EmailMessage); recipients in `.refuse` get a 550."""

    def __init__(self, port=None):
        self._lock = threading.Lock()
        self._messages = []
        self.refuse = set()
        receiver = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address in receiver.refuse:
                    return "550 5.1.1 mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
                with receiver._lock:
                    receiver._messages.append((list(envelope.rcpt_tos), msg))
                return "250 Message accepted"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=port or free_port())
        self._controller.start()
        self.port = self._controller.port
        self.url = f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self):
        with self._lock:
            return list(self._messages)

    def to(self, address):
        return [m for rcpt, m in self.messages if address in rcpt]

    def close(self):
        self._controller.stop()
