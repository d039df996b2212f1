//! PNG encoding of the chart's in-memory RGB image. Charts are drawn into
//! memory and written through the already-open temporary file, so nothing
//! reopens a path another user could have swapped; plotters can only save a
//! PNG by path, so the `png` crate encodes the buffer instead.

use std::io;

/// The PNG of `rgb` (3 bytes a pixel, rows top to bottom).
pub(super) fn encode_rgb(rgb: &[u8], width: u32, height: u32) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut out, width, height);
    encoder.set_color(::png::ColorType::Rgb);
    encoder.set_depth(::png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(io::Error::other)?;
    writer.write_image_data(rgb).map_err(io::Error::other)?;
    writer.finish().map_err(io::Error::other)?;
    Ok(out)
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
