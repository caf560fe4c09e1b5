//! Notes: the smallest shared record. A note's title and body can be typed
//! into by everyone it is shared with, at once, online or not.

pub mod editor;
pub mod list;
