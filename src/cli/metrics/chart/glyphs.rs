//! Text in PNG charts, drawn glyph by glyph with `ab_glyph` at each glyph's
//! true place. plotters 0.3.7 draws each glyph's bitmap at the pen position
//! without the glyph's left side bearing (and truncates the pen to whole
//! pixels), so letters with a wide bearing sit too far left and others too
//! far right: "iPhones" reads "iPhon es". [`Glyphs`] wraps a backend and
//! draws text itself; everything else goes to the wrapped backend as it is.
//! SVG needs none of this: the viewer lays its `<text>` out.

use ab_glyph::{Font, FontRef, ScaleFont, point};
use plotters::prelude::DrawingBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

/// A backend whose text is laid out with each glyph's side bearing.
pub(super) struct Glyphs<B> {
    inner: B,
    font: FontRef<'static>,
}

impl<B> Glyphs<B> {
    /// Wraps `inner`; text is drawn in `font` (a TrueType or OpenType file).
    pub(super) fn new(inner: B, font: &'static [u8]) -> Result<Glyphs<B>, String> {
        let font = FontRef::try_from_slice(font).map_err(|e| e.to_string())?;
        Ok(Glyphs { inner, font })
    }
}

/// Each pixel of `text` at `size`, pen starting at x 0 on the line whose
/// middle is y 0 (as plotters places it), with its coverage 0–1.
pub(super) fn rasterize(
    font: &FontRef<'_>,
    size: f32,
    text: &str,
    mut pixel: impl FnMut(i32, i32, f32),
) {
    let scaled = font.as_scaled(size);
    let mut pen = 0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            pen += scaled.kern(p, id);
        }
        prev = Some(id);
        // Positioned at the exact pen: px_bounds then include the bearing.
        let glyph = id.with_scale_and_position(scaled.scale(), point(pen, 0.0));
        if let Some(outline) = scaled.outline_glyph(glyph) {
            let b = outline.px_bounds();
            let (left, top) = (b.min.x as i32, (size / 2.0 + b.min.y) as i32);
            outline.draw(|x, y, cover| pixel(left + x as i32, top + y as i32, cover));
        }
        pen += scaled.h_advance(id);
    }
}

impl<B: DrawingBackend> DrawingBackend for Glyphs<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    /// As plotters' own `draw_text` (the same box, anchor and rotation, so
    /// the chart's layout does not move), with [`rasterize`]'s glyphs.
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.inner.get_size();
        let mut result = Ok(());
        let font = self.font.clone();
        rasterize(&font, style.size() as f32, text, |x, y, cover| {
            if result.is_err() {
                return;
            }
            let (x, y) = trans.transform(x + dx - min_x, y + dy - min_y);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                let shade = BackendColor {
                    alpha: color.alpha * f64::from(cover.clamp(0.0, 1.0)),
                    rgb: color.rgb,
                };
                result = self.inner.draw_pixel((x, y), shade);
            }
        });
        result
    }
}

#[cfg(test)]
mod tests {
    use plotters::prelude::*;

    use super::*;

    static FONT: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");

    /// The first ink column of each glyph of `text` at `size` px, drawn by
    /// `draw` into a white bitmap: runs of inked columns split by blank ones.
    fn glyph_starts(draw: impl FnOnce(&mut [u8], (u32, u32))) -> Vec<usize> {
        let (w, h) = (600u32, 200u32);
        let mut rgb = vec![255u8; (w * h * 3) as usize];
        draw(&mut rgb, (w, h));
        let inked: Vec<bool> = (0..w as usize)
            .map(|x| (0..h as usize).any(|y| rgb[(y * w as usize + x) * 3] < 128))
            .collect();
        (0..inked.len())
            .filter(|&x| inked[x] && (x == 0 || !inked[x - 1]))
            .collect()
    }

    /// Where the second glyph's ink starts after the first's: its advance,
    /// kerning and the two bearings, in pixels.
    fn expected_offset(size: f32, a: char, b: char) -> f32 {
        let font = FontRef::try_from_slice(FONT).unwrap();
        let s = font.as_scaled(size);
        let (ia, ib) = (s.glyph_id(a), s.glyph_id(b));
        s.h_advance(ia) + s.kern(ia, ib) + s.h_side_bearing(ib) - s.h_side_bearing(ia)
    }

    #[test]
    fn glyphs_sit_at_their_bearing_not_at_the_pen() {
        super::super::register_font();
        let size = 120.0;
        let style = TextStyle::from((super::super::FAMILY, size)).color(&BLACK);
        let offset = |starts: &[usize]| starts[1] as f32 - starts[0] as f32;
        let expected = expected_offset(size as f32, 'n', 'e');
        let ours = glyph_starts(|rgb, dim| {
            let backend = Glyphs::new(BitMapBackend::with_buffer(rgb, dim), FONT).unwrap();
            let root = backend.into_drawing_area();
            root.draw_text("ne", &style, (20, 20)).unwrap();
            root.present().unwrap();
        });
        assert_eq!(ours.len(), 2, "{ours:?}");
        assert!(
            (offset(&ours) - expected).abs() <= 1.0,
            "{ours:?}, expected {expected}"
        );
        // plotters' own drawing, for the record: off by the bearings.
        let theirs = glyph_starts(|rgb, dim| {
            let root = BitMapBackend::with_buffer(rgb, dim).into_drawing_area();
            root.draw_text("ne", &style, (20, 20)).unwrap();
            root.present().unwrap();
        });
        assert!(
            (offset(&theirs) - expected).abs() > 2.0,
            "{theirs:?}, expected {expected}"
        );
    }
}
