use serde::{Deserialize, Serialize};

use super::{PersonId, ServiceAreaId, TeamId};

/// A service area such as Early Help, led by a Head of Service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceArea {
    pub id: ServiceAreaId,
    pub name: String,
    /// The Head of Service responsible for the area.
    pub head: Option<PersonId>,
}

/// A team within a service area, run by its manager (a Team Manager, Family
/// Solutions Manager, Residential Manager or IRO Service Manager).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub service_area: ServiceAreaId,
    pub manager: Option<PersonId>,
}
