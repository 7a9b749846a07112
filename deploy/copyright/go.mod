// The generator of the package's DEP-5 copyright file (scripts/dist.sh runs it).
// Its own module, so that its dependency stays out of kioskd's go.mod.
module yichuang/deploy/copyright

go 1.27.3

require github.com/google/licensecheck v0.3.1
