package plugin

// Kind is how a setting's value is parsed.
type Kind string

// Setting kinds, named as in the plugin index docs (content.yaml `type`).
const (
	String Kind = "string"
	Number Kind = "number"  // a whole number, passed on as text
	Bool   Kind = "boolean" // true/false, yes/no, on/off, 1/0
	List   Kind = "array"   // comma/newline list or JSON array
	Pairs  Kind = "object"  // NAME=value items, or a JSON object {NAME: value}
)

// Setting is one entry of the settings table: the step's `settings:` key,
// how it is parsed, and the savepoint CLI flag or environment variable it
// becomes. Settings with neither are handled by the plugin itself.
type Setting struct {
	Name string
	Kind Kind
	Flag string // CLI flag (without --)
	// EnvVar is the CLI environment variable the value is passed in
	// (credentials). With Flag too, the flag is given the variable's name
	// (--registry-password-env=VAR), never the value.
	EnvVar   string
	Commands []string // commands that use it; nil = global (every command)
	Secret   bool     // never printed; pass with from_secret
	Required bool
	Default  string // documented default
	Usage    string
}

// Commands the plugin runs: the CLI's, plus init.
var Commands = []string{"save", "restore", "checkpoint", "rollback", "forget", "prune", "verify", "init"}

var (
	saving  = []string{"save", "checkpoint"}
	capture = []string{"save", "checkpoint", "rollback"}
	named   = []string{"save", "checkpoint", "rollback", "restore", "forget"}
	restore = []string{"restore"}
	// restoring are the commands that restore files.
	restoring = []string{"restore", "rollback"}
	rollbk    = []string{"rollback"}
	forget    = []string{"forget"}
	prune     = []string{"prune"}
	verify    = []string{"verify"}
)

// Settings is the settings table; docs.md and content.yaml document it
// (a test keeps them in step).
var Settings = []Setting{
	// What to run and where.
	{Name: "command", Kind: String, Default: "by event", Usage: "save, restore, checkpoint, rollback, forget, prune, verify or init. Default: rollback on a rollback event (Drone `rollback`, Woodpecker `deployment` with task `rollback`), checkpoint on a deploy event (Drone `promote`, Woodpecker `deployment`), else save"},
	{Name: "repository", Kind: String, Flag: "repo", Required: true, Usage: "repository: a path, file://PATH, s3://BUCKET/PREFIX, oci://REGISTRY/REPO or https://HOST[:PORT]/NAME (a savepoint server)"},
	{Name: "password", Kind: String, EnvVar: "SAVEPOINT_PASSWORD", Secret: true, Usage: "repository password (use from_secret)"},
	{Name: "password_file", Kind: String, Flag: "password-file", Usage: "read the repository password from this file"},
	{Name: "init", Kind: Bool, Default: "false", Usage: "create the repository first if it does not exist yet"},
	{Name: "connections", Kind: Number, Flag: "connections", Default: "4", Usage: "parallel uploads and downloads"},
	{Name: "quiet", Kind: Bool, Flag: "quiet", Default: "false", Usage: "print no progress lines"},

	// S3 repositories. Keys travel as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.
	{Name: "s3_endpoint", Kind: String, Flag: "s3-endpoint", Usage: "S3 endpoint, host[:port] or URL (default: AWS)"},
	{Name: "s3_region", Kind: String, Flag: "s3-region", Usage: "S3 region of the bucket"},
	{Name: "s3_path_style", Kind: Bool, Flag: "s3-path-style", Default: "false", Usage: "path-style S3 addressing (MinIO, Ceph)"},
	{Name: "s3_insecure", Kind: Bool, Flag: "s3-insecure", Default: "false", Usage: "plain HTTP to the S3 endpoint"},
	{Name: "s3_ca_file", Kind: String, Flag: "s3-ca-file", Usage: "PEM file of extra CAs to trust for the S3 endpoint"},
	{Name: "s3_storage_class", Kind: String, Flag: "s3-storage-class", Usage: "storage class for data packs"},
	{Name: "s3_access_key", Kind: String, EnvVar: "AWS_ACCESS_KEY_ID", Secret: true, Usage: "S3 access key id (AWS_ACCESS_KEY_ID; use from_secret)"},
	{Name: "s3_secret_key", Kind: String, EnvVar: "AWS_SECRET_ACCESS_KEY", Secret: true, Usage: "S3 secret access key (AWS_SECRET_ACCESS_KEY; use from_secret)"},

	// Repositories behind a savepoint server (https://HOST[:PORT]/NAME). The
	// token travels as SAVEPOINT_TOKEN, never as an argument.
	{Name: "server_token", Kind: String, EnvVar: "SAVEPOINT_TOKEN", Secret: true, Usage: "token for a repository behind savepoint serve, an append token for pipelines (SAVEPOINT_TOKEN; use from_secret)"},
	{Name: "server_ca_file", Kind: String, Flag: "server-ca-file", Usage: "PEM file of CAs to trust for the server's certificate (a private CA)"},

	// OCI registry repositories.
	{Name: "registry_username", Kind: String, Flag: "registry-user", Usage: "registry user for oci:// repositories"},
	{Name: "registry_password", Kind: String, Flag: "registry-password-env", EnvVar: "SAVEPOINT_PLUGIN_REGISTRY_PASSWORD", Secret: true, Usage: "registry password or token for oci:// repositories (use from_secret)"},
	{Name: "registry_insecure", Kind: Bool, Flag: "insecure-registry", Default: "false", Usage: "allow plain HTTP to a registry that is not on loopback"},

	// save and checkpoint.
	{Name: "name", Kind: String, Flag: "name", Commands: named, Default: "deploy target for checkpoint and rollback", Usage: "snapshot name, a key such as production or node-cache (restore: restores NAME:latest; forget: only this name)"},
	{Name: "paths", Kind: List, Commands: saving, Usage: "paths to save, relative to the workspace"},
	{Name: "tags", Kind: List, Flag: "tag", Commands: saving, Usage: "tags to add"},
	{Name: "exclude", Kind: List, Flag: "exclude", Commands: saving, Usage: "glob patterns to exclude"},
	{Name: "host", Kind: String, Flag: "host", Commands: saving, Usage: "hostname to record"},
	{Name: "no_parent", Kind: Bool, Flag: "no-parent", Commands: saving, Default: "false", Usage: "read every file, ignoring the previous snapshot"},
	{Name: "commands", Kind: Pairs, Flag: "command", Commands: saving, Usage: "NAME=command whose output is saved (e.g. db=pg_dump app)"},
	{Name: "restore_commands", Kind: Pairs, Flag: "restore-command", Commands: capture, Usage: "NAME=command that reads the saved output back on rollback (on rollback: replaces the recorded one)"},
	{Name: "images", Kind: Pairs, Flag: "image", Commands: saving, Usage: "NAME=image reference whose digest is recorded"},
	{Name: "pin", Kind: Bool, Flag: "pin", Commands: saving, Default: "false", Usage: "also tag recorded images with a pin tag, so they survive tag moves and registry garbage collection"},
	{Name: "image_insecure", Kind: Bool, Flag: "image-insecure", Commands: capture, Default: "false", Usage: "plain HTTP to image registries"},
	{Name: "image_username", Kind: String, Flag: "image-user", Commands: capture, Usage: "image registry user"},
	{Name: "image_password", Kind: String, Flag: "image-password-env", EnvVar: "SAVEPOINT_PLUGIN_IMAGE_PASSWORD", Commands: capture, Secret: true, Usage: "image registry password or token (use from_secret)"},

	// restore.
	{Name: "snapshot", Kind: String, Commands: restore, Default: "NAME:latest, or latest", Usage: "snapshot to restore: an ID prefix, latest or NAME:latest"},
	{Name: "target", Kind: String, Flag: "target", Commands: []string{"restore", "rollback"}, Default: "workspace (restore)", Usage: "directory to restore into"},
	{Name: "include", Kind: List, Flag: "include", Commands: restore, Usage: "restore only paths matching these globs"},
	{Name: "allow_outside_links", Kind: Bool, Flag: "allow-outside-links", Commands: restore, Default: "false", Usage: "also restore symlinks pointing outside the target"},
	{Name: "same_owner", Kind: Bool, Flag: "same-owner", Commands: restoring, Default: "false", Usage: "restore files' owners and groups (as root); by default files belong to the user running the step"},
	{Name: "keep_special_bits", Kind: Bool, Flag: "keep-special-bits", Commands: restoring, Default: "false", Usage: "restore setuid, setgid and sticky bits; by default they are dropped"},
	{Name: "sparse", Kind: String, Commands: restore, Default: "auto", Usage: "auto: holes for files saved sparse; true: holes for every file's runs of zeros; false: no holes"},

	// rollback.
	{Name: "to", Kind: String, Flag: "to", Commands: rollbk, Usage: "roll back to this snapshot instead of the newest checkpoint"},
	{Name: "before_commit", Kind: String, Flag: "before-commit", Commands: rollbk, Usage: "roll back to the state from before this commit was deployed"},
	{Name: "dry_run", Kind: Bool, Flag: "dry-run", Commands: []string{"rollback", "forget", "prune"}, Default: "false", Usage: "print the plan, change nothing"},
	{Name: "no_files", Kind: Bool, Flag: "no-files", Commands: rollbk, Default: "false", Usage: "leave files alone"},
	{Name: "no_commands", Kind: Bool, Flag: "no-commands", Commands: rollbk, Default: "false", Usage: "run no restore commands"},
	{Name: "no_images", Kind: Bool, Flag: "no-images", Commands: rollbk, Default: "false", Usage: "leave image tags alone"},

	// forget.
	{Name: "keep_last", Kind: Number, Flag: "keep-last", Commands: forget, Usage: "keep the last N snapshots"},
	{Name: "keep_hourly", Kind: Number, Flag: "keep-hourly", Commands: forget, Usage: "keep the last N hourly snapshots"},
	{Name: "keep_daily", Kind: Number, Flag: "keep-daily", Commands: forget, Usage: "keep the last N daily snapshots"},
	{Name: "keep_weekly", Kind: Number, Flag: "keep-weekly", Commands: forget, Usage: "keep the last N weekly snapshots"},
	{Name: "keep_monthly", Kind: Number, Flag: "keep-monthly", Commands: forget, Usage: "keep the last N monthly snapshots"},
	{Name: "keep_yearly", Kind: Number, Flag: "keep-yearly", Commands: forget, Usage: "keep the last N yearly snapshots"},
	{Name: "keep_within", Kind: String, Flag: "keep-within", Commands: forget, Usage: "keep snapshots within this duration of the newest of their group (e.g. 7d)"},
	{Name: "keep_tag", Kind: List, Flag: "keep-tag", Commands: forget, Usage: "keep snapshots with these tags"},
	{Name: "keep_within_ttl", Kind: String, Flag: "keep-within-ttl", Commands: forget, Usage: "keep snapshots taken within this duration of now (cache TTL)"},
	{Name: "max_size", Kind: String, Flag: "max-size", Commands: forget, Usage: "cap each group at this size (e.g. 10G), oldest first"},
	{Name: "group_by", Kind: List, Flag: "group-by", Commands: forget, Usage: "also group by these provenance keys (branch, environment)"},

	// prune.
	{Name: "grace", Kind: String, Flag: "grace", Commands: prune, Default: "24h", Usage: "never delete unreferenced data younger than this"},
	{Name: "max_unused", Kind: String, Flag: "max-unused", Commands: prune, Default: "10%", Usage: "repack packs with more unused data than this"},
	{Name: "break_lease", Kind: Bool, Flag: "break-lease", Commands: prune, Default: "false", Usage: "take over a stale prune lease (check first that no prune is running)"},

	// verify.
	{Name: "read_data", Kind: Bool, Flag: "read-data", Commands: verify, Default: "false", Usage: "also read and check all data"},
	{Name: "read_data_subset", Kind: String, Flag: "read-data-subset", Commands: verify, Usage: "read and check this share of the data (e.g. 10%)"},
}

// Lookup returns the setting named name (snake_case).
func Lookup(name string) (Setting, bool) {
	for _, s := range Settings {
		if s.Name == name {
			return s, true
		}
	}
	return Setting{}, false
}

// uses reports whether command cmd takes setting s.
func (s Setting) uses(cmd string) bool {
	if s.Commands == nil {
		return true
	}
	for _, c := range s.Commands {
		if c == cmd {
			return true
		}
	}
	return false
}
