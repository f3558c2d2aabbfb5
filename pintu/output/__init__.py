"""What the office issues: numbered documents verified by QR, letters and receipts as PDF, signatures
and mail attachments."""
