//! A small PNG encoder for the chart's in-memory RGB image: 8-bit RGB,
//! one zlib stream, no filtering. Charts are drawn into memory and written
//! through the already-open temporary file, so nothing reopens a path
//! another user could have swapped; plotters can only encode PNG by path,
//! and flate2 (already a dependency) does the compression and the CRCs.

use std::io::{self, Write};

use flate2::Compression;
use flate2::Crc;
use flate2::write::ZlibEncoder;

/// The PNG of `rgb` (3 bytes a pixel, rows top to bottom).
pub(super) fn encode_rgb(rgb: &[u8], width: u32, height: u32) -> io::Result<Vec<u8>> {
    let row = usize::try_from(width).map_err(io::Error::other)? * 3;
    if row == 0 || rgb.len() != row * usize::try_from(height).map_err(io::Error::other)? {
        return Err(io::Error::other("the image buffer does not match its size"));
    }
    let mut zlib = ZlibEncoder::new(Vec::new(), Compression::default());
    for line in rgb.chunks(row) {
        // Filter type 0 (none) before each scanline.
        zlib.write_all(&[0])?;
        zlib.write_all(line)?;
    }
    let idat = zlib.finish()?;

    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);

    let mut png = Vec::with_capacity(idat.len() + 64);
    png.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    chunk(&mut png, b"IHDR", &ihdr)?;
    chunk(&mut png, b"IDAT", &idat)?;
    chunk(&mut png, b"IEND", &[])?;
    Ok(png)
}

/// Length, type, data, CRC of type and data.
fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) -> io::Result<()> {
    let len = u32::try_from(data.len()).map_err(io::Error::other)?;
    png.extend_from_slice(&len.to_be_bytes());
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let mut crc = Crc::new();
    crc.update(kind);
    crc.update(data);
    png.extend_from_slice(&crc.sum().to_be_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_png_decodes_to_the_same_pixels() {
        let rgb: Vec<u8> = (0..3 * 2 * 3).map(|i| (i * 13) as u8).collect();
        let bytes = encode_rgb(&rgb, 3, 2).unwrap();
        let mut reader = ::png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        assert_eq!((reader.info().width, reader.info().height), (3, 2));
        let mut out = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut out).unwrap();
        assert_eq!(out, rgb);
        assert!(encode_rgb(&rgb, 4, 2).is_err());
    }
}
