//! The chart as a file: PNG at twice the screen's pixels (at most 4×) or
//! SVG, drawn by the worker at the panel's size with its zoom and
//! highlight, named after the analysis's first dataset and the day.

use leptos::prelude::*;

use super::canvas::{Shown, image_canvas, save_png, save_svg};
use super::state::Chart;
use crate::engine::protocol::Response;
use crate::ui::browser::today;

impl Chart {
    /// Saves the chart as PNG (`png`) or SVG; `stem` starts the file name.
    pub(super) fn export(self, png: bool, stem: String) {
        let mut size = self.size();
        size.scale = if png {
            (size.scale * 2.0).min(4.0)
        } else {
            1.0
        };
        self.lab.ask(&self.request(size), move |response| {
            if self.error.is_disposed() {
                return;
            }
            if let Response::Chart {
                frame,
                image,
                pixels,
                ..
            } = response
            {
                let image = image.and_then(|(w, h)| image_canvas(&pixels, w, h));
                let out = Shown {
                    frame: *frame,
                    image,
                };
                let extension = if png { "png" } else { "svg" };
                let name = format!("datalabb-{stem}-{}.{extension}", today());
                let saved = if png {
                    save_png(&out, &name)
                } else {
                    save_svg(&out, &name)
                };
                if let Err(e) = saved {
                    self.error.set(Some(e));
                }
            }
            // The worker's hover index follows the last chart: lay the
            // screen's out again.
            self.ask();
        });
    }
}
