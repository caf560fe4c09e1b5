//! The staff directory as the council's HR system exports it (DOMAIN.md
//! §9): who works in Children's Services, their roles, team, service area
//! and line manager. The administrator uploads the export; QALF checks
//! every row, shows who joins, leaves, moves and changes role, and only
//! then applies it.

mod edit;
mod import;

pub use edit::{
    Edited, PersonEdit, ServiceAreaEdit, TeamEdit, edit_person, edit_service_area, edit_team,
};
pub use import::{
    Joiner, Leaver, Mover, RoleChange, StaffColumn, StaffIssue, StaffPlan, plan_staff_import,
    template,
};

#[cfg(test)]
mod edit_tests;
#[cfg(test)]
mod tests;
