//! A chart on a canvas: the frame drawn with plotters, the worker's image
//! of the marks put into the plot; PNG and SVG files of it.

use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{HtmlCanvasElement, ImageData};

use crate::chart::draw;
use crate::chart::frame::{Frame, Rect};

/// What the page keeps of the chart on screen.
#[derive(Clone)]
pub(super) struct Shown {
    pub(super) frame: Frame,
    /// The worker's image of the marks, if they came as one.
    pub(super) image: Option<HtmlCanvasElement>,
}

/// The worker's RGBA bytes on a canvas of their own, to be drawn into the
/// plot with the canvas's blending.
pub(super) fn image_canvas(pixels: &[u8], w: u32, h: u32) -> Option<HtmlCanvasElement> {
    if pixels.len() != (w as usize) * (h as usize) * 4 || w == 0 || h == 0 {
        return None;
    }
    let document = web_sys::window()?.document()?;
    let canvas: HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(pixels), w, h).ok()?;
    ctx.put_image_data(&data, 0.0, 0.0).ok()?;
    Some(canvas)
}

/// Draws `shown` on `canvas`: frame, marks (shapes or image), axes.
pub(super) fn paint(canvas: &HtmlCanvasElement, shown: &Shown) -> Result<(), String> {
    let frame = &shown.frame;
    canvas.set_width(frame.width);
    canvas.set_height(frame.height);
    let s = frame.scale.max(0.01);
    let style = web_sys::HtmlElement::style(canvas);
    let _ = style.set_property("width", &format!("{}px", frame.width as f32 / s));
    let _ = style.set_property("height", &format!("{}px", frame.height as f32 / s));
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no canvas context")?;
    let root = backend.into_drawing_area();
    draw::under(&root, frame).map_err(|e| e.to_string())?;
    if let Some(image) = &shown.image {
        let ctx: web_sys::CanvasRenderingContext2d = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into().ok())
            .ok_or("no canvas context")?;
        let Rect { x0, y0, .. } = frame.plot;
        ctx.draw_image_with_html_canvas_element(
            image,
            f64::from(x0.round()),
            f64::from(y0.round()),
        )
        .map_err(|e| format!("{e:?}"))?;
    }
    draw::marks(&root, frame).map_err(|e| e.to_string())?;
    draw::over(&root, frame).map_err(|e| e.to_string())?;
    root.present().map_err(|e| format!("{e:?}"))
}

pub(super) fn document() -> Result<web_sys::Document, String> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| "no document".to_string())
}

pub(super) fn save_png(shown: &Shown, name: &str) -> Result<(), String> {
    let canvas: HtmlCanvasElement = document()?
        .create_element("canvas")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    paint(&canvas, shown)?;
    let url = canvas.to_data_url().map_err(|e| format!("{e:?}"))?;
    click_download(&url, name)
}

pub(super) fn save_svg(shown: &Shown, name: &str) -> Result<(), String> {
    let image = match &shown.image {
        Some(c) => Some(c.to_data_url().map_err(|e| format!("{e:?}"))?),
        None => None,
    };
    let text = draw::svg(&shown.frame, image.as_deref()).map_err(|e| e.to_string())?;
    crate::ui::browser::save(name, "image/svg+xml", text.as_bytes())
}

pub(super) fn click_download(url: &str, name: &str) -> Result<(), String> {
    let anchor: web_sys::HtmlAnchorElement = document()?
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    anchor.set_href(url);
    anchor.set_download(name);
    anchor.click();
    Ok(())
}

pub(super) use crate::ui::browser::now;
