//! Tokens for the verifier stack measurement, made on the host by `scripts/hostile_tokens.py`
//! (PyNaCl and Python's hmac, with the demo keys), so the firmware carries no signing or
//! encoding code of its own.

/// The SDK's compact payload: accepted (the baseline).
pub const TURBINE_FLAT: &str = "eyJraWQiOiJxZW11LWRlbW8tZGV2aWNlIiwibiI6IjAwMTEyMjMzNDQ1NTY2Nzc4ODk5YWFiYmNjZGRlZWZmIiwidHMiOjE3OTU0MzUyMDB9.Zz4brp_Dm4xNDyREt8uMOeziq9CuKnjdGWMuPqMYF1xRpPhTOZoO3dO1ORaeTSFdLaC8f3MtWFZ0Ez7LAOVpDg";
/// A Turbine payload nested to the JSON bound (depth 8), with escapes: accepted.
pub const TURBINE_DEEP: &str = "eyJraWQiOiJxZW11LWRlbW8tZGV2aWNlIiwibiI6IjAwMTEyMjMzNDQ1NTY2Nzc4ODk5YWFiYmNjZGRlZWZmIiwidHMiOjE3OTU0MzUyMDAsIm5vdGUiOiJcdWQ4M2RcdWRlMDAgY2FmXHUwMGU5IiwieCI6W1tbW1t7InkiOltdfV1dXV1dfQ.nUqiHQB9IRhZ24jKCW-HBGtL1kfXuMsUlH8WrfOZGRj8QfsZc5E24yy6DUzU8Q-YPzUzzollSlYnHvPeWjAjCA";
/// The review's stray quote before 200 levels of nesting: refused as `invalid token format`.
pub const TURBINE_BYPASS: &str = "eyJraWQiOiJxZW11LWRlbW8tZGV2aWNlIiwibiI6IjAwMTEyMjMzNDQ1NTY2Nzc4ODk5YWFiYmNjZGRlZWZmIiwidHMiOjE3OTU0MzUyMDAsIngiOjEiLCJ5IjpbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbWw._yfYZZxj-HIz_4_77sROfqFQCwnhWCZVK0K6L6WR5Q1mLwuLGGrmDqX6c3bvVzMGXTPHpV8995xpnjydihDDCQ";
/// HS256 claims nested to the bound under an unknown name, with a surrogate pair: accepted.
pub const JWT_DEEP: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3OTU0Mzg4MDAsInVpZCI6IjEiLCJ1bmFtZSI6Ilx1ZDgzZFx1ZGUwMCIsIngiOltbW1tbeyJ5IjpbXX1dXV1dXX0.HFl9_edwQlhWFfYO2z_CNwlyrximNsaB5m-vvHl4m4A";
