//! Small but real audio files for recordings: a PCM WAV tone, or silent MP3 frames.

use bytes::Bytes;

const RATE: u32 = 8000;

/// A mono 16-bit 8 kHz WAV with a sine tone of `secs` seconds at `freq` Hz.
pub fn tone_wav(secs: u32, freq: f64) -> Bytes {
    let samples = RATE * secs.max(1);
    let data_len = samples * 2;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVE");
    out.extend_from_slice(b"fmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&(RATE * 2).to_le_bytes()); // byte rate
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..samples {
        let t = f64::from(i) / f64::from(RATE);
        let v = (t * freq * std::f64::consts::TAU).sin() * 8000.0;
        // Bounded by the 8000 amplitude, so the cast cannot overflow.
        #[allow(clippy::cast_possible_truncation)]
        let s = v as i16;
        out.extend_from_slice(&s.to_le_bytes());
    }
    Bytes::from(out)
}

/// `secs` seconds of silent MPEG-1 Layer III (128 kbit/s, 44.1 kHz, mono): frames whose side
/// information is all zero decode as silence in every player.
pub fn silent_mp3(secs: u32) -> Bytes {
    // 44100 Hz / 1152 samples per frame ≈ 38.28 frames per second.
    let frames = (u64::from(secs.max(1)) * 44_100).div_ceil(1152);
    // Header: sync, MPEG-1, Layer III, no CRC; 128 kbit/s, 44.1 kHz, no padding; mono.
    const HEADER: [u8; 4] = [0xFF, 0xFB, 0x90, 0xC0];
    const FRAME_LEN: usize = 417; // 144 * 128000 / 44100
    let mut out = Vec::with_capacity(FRAME_LEN * usize::try_from(frames).unwrap_or(0));
    for _ in 0..frames {
        out.extend_from_slice(&HEADER);
        out.resize(out.len() + FRAME_LEN - HEADER.len(), 0);
    }
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_header_is_valid() {
        let w = tone_wav(1, 440.0);
        assert_eq!(&w[0..4], b"RIFF");
        assert_eq!(&w[8..12], b"WAVE");
        assert_eq!(w.len(), 44 + 16_000);
        let riff_len = u32::from_le_bytes([w[4], w[5], w[6], w[7]]) as usize;
        assert_eq!(riff_len + 8, w.len());
        // Not silence.
        assert!(w[44..].iter().any(|b| *b != 0));
    }

    #[test]
    fn mp3_frames_have_sync_words() {
        let m = silent_mp3(1);
        assert_eq!(&m[0..2], &[0xFF, 0xFB]);
        assert_eq!(&m[417..419], &[0xFF, 0xFB]);
    }
}
