// Package localcloud runs the function on a laptop the way Alibaba Cloud
// runs it: an OSS-compatible server, the recognition API stand-in, and the
// real function binary under the FC runtime emulator, wired by the OSS
// trigger rules of s.yaml. The demo, the local command and the end-to-end
// tests share it.
package localcloud
