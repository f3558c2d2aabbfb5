"""Demo data: three buildings and requests in every state, played through the real workflow."""

from __future__ import annotations

import datetime as dt

from . import bookings
from .models import Building

from pintu import Application, cancel, demo_application, sample_pdf

BUILDINGS = [
    dict(name="Gedung Serba Guna Polije", capacity=1000, tariff_day=5_000_000, tariff_half_day=3_000_000,
         facilities="Kursi 800, panggung, sound system, AC, ruang rias, area parkir"),
    dict(name="Aula Lantai 3 Gedung Direktorat", capacity=250, tariff_day=1_500_000, tariff_half_day=900_000,
         facilities="Kursi 250, proyektor dan layar, sound system, AC"),
    dict(name="Ruang Seminar Teaching Factory", capacity=80, tariff_day=750_000, tariff_half_day=450_000,
         facilities="Kursi kuliah 80, proyektor, AC (sedang direnovasi)", active=False),
]


def ensure_buildings() -> list[Building]:
    out = []
    for spec in BUILDINGS:
        building, _ = Building.get_or_create(name=spec["name"], defaults={k: v for k, v in spec.items() if k != "name"})
        out.append(building)
    return out


def load(service, applicants, staff) -> None:
    gsg, aula, _ = ensure_buildings()
    petugas, keuangan, pimpinan = staff["petugas"], staff["verifikator:umum_keuangan"], staff["pimpinan"]
    today = bookings.now().date()
    lengkap = (petugas, "lengkap", "")
    verified = (keuangan, "verified", "")
    approve = (pimpinan, "approve", "")

    def paid(who):
        return (who, "paid", "", {"bukti_transfer": sample_pdf("bukti_transfer.pdf")})

    def make(who, building, days_ahead, start, end, purpose, steps=(), submit=True, last_day=None, status=None):
        day = today + dt.timedelta(days=days_ahead)
        data = {"gedung": building.id, "tanggal_mulai": day.isoformat(),
                "tanggal_selesai": (day + dt.timedelta(days=last_day or 0)).isoformat(),
                "jam_mulai": start, "jam_selesai": end, "jumlah_peserta": 150, "keterangan": purpose,
                "status_peminjam": status or ("eksternal" if who in ("masyarakat", "instansi") else "internal")}
        letter = {"surat_permohonan": sample_pdf("surat_permohonan_gedung.pdf")}
        return demo_application(service, applicants[who], data, letter, list(steps), submit=submit)

    warga, instansi = applicants["masyarakat"], applicants["instansi"]
    # Draft, waiting at the ULT, at Umum dan Keuangan.
    make("mahasiswa", aula, 10, "13:00", "16:00", "Latihan gabungan UKM Paduan Suara", submit=False)
    make("dosen", gsg, 20, "08:00", "12:00", "Kuliah umum Jurusan Teknologi Informasi")
    make("pegawai", aula, 12, "09:00", "12:00", "Rapat koordinasi Bagian Umum dan Keuangan", [lengkap])
    # Two overlapping requests waiting for the leadership: the panel flags them to each other.
    make("instansi", gsg, 30, "08:00", "16:00", "Seminar nasional kewirausahaan SMK se-Jember",
         [lengkap, verified])
    make("masyarakat", gsg, 30, "13:00", "21:00", "Resepsi pernikahan", [lengkap, verified])
    # Internal, approved: the permit waits at the ULT.
    make("dosen", aula, 15, "08:00", "12:00", "Workshop penulisan artikel ilmiah", [lengkap, verified, approve])
    # External, approved: waiting for the transfer; then waiting for its check.
    make("masyarakat", gsg, 40, "07:00", "22:00", "Pameran UMKM dan bazar", [lengkap, verified, approve],
         last_day=1)
    make("instansi", aula, 18, "08:00", "12:00", "Pelatihan guru produktif", [lengkap, verified, approve,
                                                                            paid(instansi)])
    # External: the proof was not right and was sent back to the applicant.
    make("instansi", gsg, 45, "08:00", "17:00", "Lomba kompetensi siswa tingkat kabupaten",
         [lengkap, verified, approve, paid(instansi),
          (keuangan, bookings.PAYMENT_AGAIN, "Nominal pada bukti transfer Rp 500.000 kurang dari biaya sewa "
                                            "Rp 5.000.000. Mohon unggah bukti setoran pelunasan.")])
    # Refused by the leadership with the reason; returned by the ULT.
    make("masyarakat", gsg, 25, "08:00", "16:00", "Konser musik",
         [lengkap, verified, (pimpinan, "refuse", "Pada tanggal tersebut Gedung Serba Guna dipakai untuk "
                                                  "persiapan wisuda. Silakan memilih tanggal lain.")])
    make("mahasiswa", aula, 22, "13:00", "17:00", "Seminar himpunan mahasiswa",
         [(petugas, "return", "Surat permohonan belum ditandatangani ketua jurusan. Mohon unggah ulang.")])
    # Done: external, paid, permit collected.
    make("instansi", aula, 7, "09:00", "13:00", "Sosialisasi program beasiswa",
         [lengkap, verified, approve, paid(instansi), (keuangan, "payment_ok", ""), (petugas, "taken", "")])
    # Cancelled by the applicant after approval: the slot is free again.
    cancelled = make("masyarakat", aula, 35, "08:00", "16:00", "Arisan keluarga besar",
                     [lengkap, verified, approve])
    cancel(Application.get_by_id(cancelled.id), warga, "Acara dipindahkan ke rumah.")
