//! The chart panel's state: the signals the view shows and the handlers
//! change, in one `Copy` value, and the request that draws the chart.

use leptos::prelude::*;

use super::canvas::{Shown, image_canvas, now, paint};
use super::hovers::Hovers;
use crate::chart::frame::Frame;
use crate::chart::prepare::DataTable;
use crate::chart::{Context, Size, View};
use crate::engine::protocol::{RESULT, Request, Response, Tip};
use crate::recipe::{ChartKind, ChartSpec};
use crate::ui::state::Lab;

/// A drag in progress: where it started (device pixels), whether it
/// brushes (shift) or pans, and the view it started from.
pub(super) type Drag = (f32, f32, bool, Option<View>);

/// One chart panel's state. Every field is a signal or a handle, so the
/// whole is `Copy` and each handler takes it by value.
#[derive(Clone, Copy)]
pub(super) struct Chart {
    pub(super) lab: Lab,
    pub(super) spec: Signal<ChartSpec>,
    pub(super) context: Signal<Context>,
    /// Changes each time a new result is kept.
    pub(super) result: Signal<Option<u64>>,
    /// Filling the window's height, without settings or exports.
    pub(super) embedded: bool,
    on_drawn: Option<Callback<Option<u32>>>,
    pub(super) canvas: NodeRef<leptos::html::Canvas>,
    /// The panel (its width is the chart's).
    pub(super) boxed: NodeRef<leptos::html::Section>,
    /// The frame and image on the canvas.
    pub(super) shown: StoredValue<Option<Shown>, LocalStorage>,
    pub(super) table: RwSignal<Option<DataTable>>,
    /// The chart in words (the canvas's accessible description).
    pub(super) description: RwSignal<String>,
    pub(super) error: RwSignal<Option<String>>,
    pub(super) view_box: RwSignal<Option<View>>,
    pub(super) highlight: RwSignal<Option<u8>>,
    /// A brushed rectangle in device pixels.
    pub(super) brush: RwSignal<Option<(f32, f32, f32, f32)>>,
    pub(super) hovers: Hovers,
    pub(super) drag: StoredValue<Option<Drag>>,
    /// The size last asked for, in CSS pixels.
    drawn_at: StoredValue<(u32, u32)>,
    /// A chart request is out; another was wanted meanwhile.
    in_flight: StoredValue<bool>,
    wanted: StoredValue<bool>,
    /// For tests and tools that drive the page: the worker's milliseconds,
    /// the pictures drawn, the legend's entries in CSS pixels, and the
    /// milliseconds from a request to its pixels.
    pub(super) chart_ms: RwSignal<Option<f64>>,
    pub(super) drawn: RwSignal<u64>,
    pub(super) legend: RwSignal<String>,
    pub(super) paint_ms: RwSignal<Option<f64>>,
}

impl Chart {
    pub(super) fn new(
        lab: Lab,
        spec: Signal<ChartSpec>,
        context: Signal<Context>,
        result: Signal<Option<u64>>,
        embedded: bool,
        on_drawn: Option<Callback<Option<u32>>>,
    ) -> Chart {
        Chart {
            lab,
            spec,
            context,
            result,
            embedded,
            on_drawn,
            canvas: NodeRef::new(),
            boxed: NodeRef::new(),
            shown: StoredValue::new_local(None),
            table: RwSignal::new(None),
            description: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            view_box: RwSignal::new(None),
            highlight: RwSignal::new(None),
            brush: RwSignal::new(None),
            hovers: Hovers {
                tip: RwSignal::new(None::<Tip>),
                hit_ms: RwSignal::new(None),
                in_flight: StoredValue::new(false),
                next: StoredValue::new(None),
            },
            drag: StoredValue::new(None),
            drawn_at: StoredValue::new((0, 0)),
            in_flight: StoredValue::new(false),
            wanted: StoredValue::new(false),
            chart_ms: RwSignal::new(None),
            drawn: RwSignal::new(0),
            legend: RwSignal::new(String::from("[]")),
            paint_ms: RwSignal::new(None),
        }
    }

    /// The frame on screen.
    pub(super) fn current(self) -> Option<Frame> {
        self.shown
            .with_value(|s| s.as_ref().map(|s| s.frame.clone()))
    }

    /// Device pixels per CSS pixel of the frame on screen.
    pub(super) fn scale(self) -> f32 {
        self.shown
            .with_value(|s| s.as_ref().map(|s| s.frame.scale))
            .unwrap_or(1.0)
    }

    /// The size to draw at: the panel's width; a height from it, or the
    /// window's in an embedded view.
    pub(super) fn size(self) -> Size {
        let w = self
            .boxed
            .get_untracked()
            // The box's border takes 2 px.
            .map(|b| b.client_width() - 2)
            .unwrap_or(640)
            .max(200) as u32;
        let h = if self.embedded {
            // The window less the line with the link to the lab.
            let window = web_sys::window()
                .and_then(|w| w.inner_height().ok())
                .and_then(|h| h.as_f64())
                .unwrap_or(400.0);
            (window as f32 - crate::chart::EMBED_LINK_PX as f32).clamp(160.0, 2000.0) as u32
        } else {
            (w as f32 * 0.6).clamp(300.0, 520.0) as u32
        };
        let scale = web_sys::window()
            .map(|w| w.device_pixel_ratio())
            .unwrap_or(1.0) as f32;
        Size {
            width: w,
            height: h,
            scale,
        }
    }

    /// The request for the chart at `size`, as the panel shows it now.
    pub(super) fn request(self, size: Size) -> Request {
        Request::Chart {
            dataset: RESULT.into(),
            spec: self.spec.get_untracked(),
            context: self.context.get_untracked(),
            size,
            view: self.view_box.get_untracked(),
            highlight: self.highlight.get_untracked(),
        }
    }

    /// Asks the worker for the chart and paints its answer; an ask while
    /// one is out waits for it.
    pub(super) fn ask(self) {
        if self.spec.with_untracked(|s| s.kind == ChartKind::Table)
            || self.result.get_untracked().is_none()
        {
            return;
        }
        if self.in_flight.get_value() {
            self.wanted.set_value(true);
            return;
        }
        self.in_flight.set_value(true);
        let asked_at = now();
        let size = self.size();
        self.drawn_at.set_value((size.width, size.height));
        self.lab.ask(&self.request(size), move |response| {
            if self.error.is_disposed() {
                return;
            }
            self.in_flight.set_value(false);
            match response {
                Response::Chart {
                    frame,
                    table,
                    image,
                    pixels,
                    chart_ms,
                } => {
                    let image = image.and_then(|(w, h)| image_canvas(&pixels, w, h));
                    self.show(Shown {
                        frame: *frame,
                        image,
                    });
                    self.table.set(Some(table));
                    self.chart_ms.set(Some(chart_ms));
                    self.paint_ms.set(Some(now() - asked_at));
                    self.drawn.update(|n| *n += 1);
                }
                Response::Error { message } => {
                    self.shown.set_value(None);
                    self.table.set(None);
                    self.error.set(Some(message));
                }
                _ => {}
            }
            if self.wanted.get_value() {
                self.wanted.set_value(false);
                self.ask();
            }
        });
    }

    /// Paints `shown` on the canvas and keeps it.
    fn show(self, shown: Shown) {
        if let Some(c) = self.canvas.get_untracked() {
            self.error.set(paint(&c, &shown).err());
        }
        let s = shown.frame.scale.max(0.01);
        let rects: Vec<[f32; 4]> = shown
            .frame
            .legend
            .iter()
            .map(|l| [l.rect.x0 / s, l.rect.y0 / s, l.rect.x1 / s, l.rect.y1 / s])
            .collect();
        self.legend
            .set(serde_json::to_string(&rects).unwrap_or_default());
        self.description.set(shown.frame.description.clone());
        if let Some(on_drawn) = self.on_drawn {
            on_drawn.run(shown.frame.wanted_height);
        }
        self.shown.set_value(Some(shown));
    }

    /// Follows the size the chart is drawn at: a window resize that
    /// changes it (the panel's width; in an embed, the window's height
    /// too, when the article sizes the frame) redraws. The listener goes
    /// with the panel's owner.
    pub(super) fn follow_size(self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let on_resize = gloo_events::EventListener::new(&window, "resize", move |_| {
            let size = self.size();
            let now = (size.width, size.height);
            if now != self.drawn_at.get_value() {
                self.drawn_at.set_value(now);
                self.ask();
            }
        });
        StoredValue::new_local(on_resize);
    }
}
