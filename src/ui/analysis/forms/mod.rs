//! One form per step kind; each edits its step through the panel.

pub(crate) mod derive;
pub(crate) mod filter;
pub(crate) mod group;
pub(crate) mod join;
pub(crate) mod learn;
pub(crate) mod limit;
pub(crate) mod pivot;
pub(crate) mod rename;
pub(crate) mod select;
pub(crate) mod sort;
pub(crate) mod union;
pub(crate) mod unpivot;
