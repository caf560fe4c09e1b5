//! What a person may do beyond records, by the roles they hold: read the
//! access log, change how QALF runs, keep the staff directory. One answer
//! for the server, which enforces it, and the app, which shows or hides
//! the pages.

use crate::org::Role;

/// The access log is read by the CPP, who run quality assurance,
/// and by administrators, who answer for the installation.
pub fn may_read_access_log(roles: &[Role]) -> bool {
    roles
        .iter()
        .any(|r| r.is_cpp() || *r == Role::Administrator)
}

/// Settings, question sets and what changed in them: the administrator and
/// the CPP Service Manager, who owns the framework.
pub fn may_change_settings(roles: &[Role]) -> bool {
    roles.contains(&Role::Administrator) || roles.contains(&Role::CppServiceManager)
}

/// The staff directory (import, edits, invitations): administrators only.
pub fn may_keep_staff_directory(roles: &[Role]) -> bool {
    roles.contains(&Role::Administrator)
}

/// R-REP-8: reports are read by managers and the CPP.
pub fn reads_reports(roles: &[Role]) -> bool {
    super::manages(roles) || crate::org::works_in_cpp(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_access_log_is_read_by_the_cpp_and_administrators_only() {
        for role in Role::ALL {
            let expected = matches!(
                role,
                Role::CppPractitioner | Role::CppServiceManager | Role::Administrator
            );
            assert_eq!(may_read_access_log(&[role]), expected, "{role}");
        }
        assert!(!may_read_access_log(&[]));
    }

    #[test]
    fn settings_are_changed_by_the_administrator_and_the_cpp_service_manager() {
        for role in Role::ALL {
            let expected = matches!(role, Role::Administrator | Role::CppServiceManager);
            assert_eq!(may_change_settings(&[role]), expected, "{role}");
        }
    }

    #[test]
    fn r_rep_8_managers_and_the_cpp_read_reports_practitioners_and_iros_do_not() {
        assert!(reads_reports(&[Role::TeamManager]));
        assert!(reads_reports(&[Role::HeadOfService]));
        assert!(reads_reports(&[Role::CppPractitioner]));
        assert!(!reads_reports(&[Role::Practitioner]));
        assert!(!reads_reports(&[Role::Iro]));
        assert!(!reads_reports(&[Role::Administrator]));
        assert!(reads_reports(&[Role::Iro, Role::CppPractitioner]));
    }

    #[test]
    fn only_administrators_keep_the_staff_directory() {
        for role in Role::ALL {
            assert_eq!(
                may_keep_staff_directory(&[role]),
                role == Role::Administrator,
                "{role}"
            );
        }
    }
}
