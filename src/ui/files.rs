//! Opening the visitor's own files: a file chooser and a drop zone (the
//! whole page takes drops too). The bytes go to the compute worker and
//! never leave the browser.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::data::Lang;
use crate::ui::i18n::texts;
use crate::ui::state::Lab;

/// The file types offered by the chooser (others may still be dropped).
const ACCEPT: &str = ".arrow,.arrows,.ipc,.feather,.parquet,.pq,.csv,.tsv,.txt,text/csv";

/// The files of a drop event.
pub fn dropped(event: &web_sys::DragEvent) -> Vec<web_sys::File> {
    event
        .data_transfer()
        .and_then(|t| t.files())
        .map(|list| files(&list))
        .unwrap_or_default()
}

fn files(list: &web_sys::FileList) -> Vec<web_sys::File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// "Open your own file": a button for the file chooser and a zone to drop
/// files on.
#[component]
pub fn OpenFiles() -> impl IntoView {
    let (Some(lab), Some(lang)) = (use_context::<Lab>(), use_context::<RwSignal<Lang>>()) else {
        return ().into_any();
    };
    let over = RwSignal::new(false);
    let on_change = move |event: web_sys::Event| {
        let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(list) = input.files() {
            lab.open_files(files(&list));
        }
        // Choosing the same file again opens it again.
        input.set_value("");
    };
    view! {
        <section
            class="open-files"
            class:over=move || over.get()
            data-testid="open-files"
            on:dragenter=move |_| over.set(true)
            on:dragleave=move |_| over.set(false)
            on:drop=move |_| over.set(false)
        >
            <h2>{move || texts(lang.get()).own_file}</h2>
            <p class="muted">{move || texts(lang.get()).own_file_help}</p>
            <label class="button primary">
                <input
                    type="file"
                    class="visually-hidden"
                    data-testid="file-input"
                    accept=ACCEPT
                    multiple
                    on:change=on_change
                />
                {move || texts(lang.get()).choose_file}
            </label>
            <span class="muted drop-hint">{move || texts(lang.get()).drop_hint}</span>
        </section>
    }
    .into_any()
}
