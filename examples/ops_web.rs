//! The star schema's analyses (`scripts/bench.sh`, `benches/ops_web.mjs`)
//! compiled to wasm as the worker is, but run outside it: the page or
//! Node hands over the Arrow files' bytes, then times each analysis's
//! `recipe::run` alone. Beside `benches/ops.mjs` (the same analyses in the
//! lab's worker) it shows what the worker adds to the code's own time, and
//! under Node it can be profiled (`node --cpu-prof`).

fn main() {}

#[cfg(target_arch = "wasm32")]
mod web {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use arrow::array::RecordBatch;
    use datalabb::data::load::{Limits, decode};
    use datalabb::recipe::run::run;
    use datalabb::recipe::url;
    use wasm_bindgen::prelude::*;

    thread_local! {
        static TABLES: RefCell<BTreeMap<String, RecordBatch>> = const { RefCell::new(BTreeMap::new()) };
    }

    /// Decodes an Arrow file as input `name` of the analyses; its rows.
    #[wasm_bindgen]
    pub fn load(name: &str, bytes: Vec<u8>) -> Result<usize, JsError> {
        let table = decode(bytes, &Limits::default()).map_err(|e| JsError::new(&e.to_string()))?;
        let batch = table
            .into_batch()
            .map_err(|e| JsError::new(&e.to_string()))?;
        let rows = batch.num_rows();
        TABLES.with(|t| t.borrow_mut().insert(name.to_string(), batch));
        Ok(rows)
    }

    /// Runs the analysis of `link` (`r1.…`) on the loaded inputs; the
    /// result's rows.
    #[wasm_bindgen]
    pub fn analysis(link: &str) -> Result<usize, JsError> {
        let recipe = url::decode(link).map_err(|e| JsError::new(&e.to_string()))?;
        TABLES.with(|t| {
            let mut progress = |_, _| std::ops::ControlFlow::Continue(());
            let (batch, _) = run(&recipe, &t.borrow(), &mut progress)
                .map_err(|e| JsError::new(&e.to_string()))?;
            Ok(batch.num_rows())
        })
    }
}
