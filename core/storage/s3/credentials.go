package s3

import (
	"os"
	"sync"

	"github.com/minio/minio-go/v7/pkg/credentials"
)

// NewCredentials returns minio-go's provider chain, first match wins:
//
//  1. keys given by the caller through getenv (so the CLI can pass an
//     environment it controls): AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
//     AWS_SESSION_TOKEN; nil getenv skips this step;
//  2. the process environment: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
//     (+AWS_SESSION_TOKEN), then MINIO_ACCESS_KEY/MINIO_SECRET_KEY;
//  3. the AWS shared credentials file (AWS_SHARED_CREDENTIALS_FILE or
//     ~/.aws/credentials), profile from the argument, AWS_PROFILE or
//     "default";
//  4. IAM: web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, the
//     OIDC route from GitHub Actions or GitLab CI; the STS endpoint is
//     sts.AWS_REGION.amazonaws.com or AWS_ENDPOINT_URL_STS), ECS/EKS
//     container credentials, then the EC2 instance role.
//
// With none of them the requests go unsigned (anonymous), which works only
// for public buckets; a refused request then says which step failed.
func NewCredentials(profile string, getenv func(string) string) *credentials.Credentials {
	var chain []credentials.Provider
	env := os.Getenv
	if getenv != nil {
		env = func(k string) string {
			if v := getenv(k); v != "" {
				return v
			}
			return os.Getenv(k)
		}
		if id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
			chain = append(chain, &credentials.Static{Value: credentials.Value{
				AccessKeyID: id, SecretAccessKey: secret, SessionToken: getenv("AWS_SESSION_TOKEN"),
				SignerType: credentials.SignatureV4,
			}})
		}
	}
	iam := &iamProvider{}
	if env("AWS_WEB_IDENTITY_TOKEN_FILE") != "" {
		iam.Endpoint = env("AWS_ENDPOINT_URL_STS")
		iam.webIdentity = true
	}
	chain = append(chain,
		&credentials.EnvAWS{},
		&credentials.EnvMinio{},
		&credentials.FileAWSCredentials{Profile: profile},
		iam,
	)
	creds := credentials.NewChainCredentials(chain)
	iamOf.Store(creds, iam)
	return creds
}

// iamProvider remembers why the IAM step (web identity above all) failed,
// since the chain drops that error and falls back to anonymous requests.
type iamProvider struct {
	credentials.IAM
	webIdentity bool
	mu          sync.Mutex
	err         error
}

func (p *iamProvider) Retrieve() (credentials.Value, error) {
	return p.RetrieveWithCredContext(nil)
}

func (p *iamProvider) RetrieveWithCredContext(cc *credentials.CredContext) (credentials.Value, error) {
	v, err := p.IAM.RetrieveWithCredContext(cc)
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
	return v, err
}

// iamOf maps credentials made by NewCredentials to their IAM step.
var iamOf sync.Map

// credentialsHint explains a refused request when no credentials were
// found: which source was tried and why it failed. Empty when the request
// was signed.
func (b *Backend) credentialsHint() string {
	creds := b.opts.Credentials
	if creds == nil {
		return ""
	}
	v, err := creds.Get()
	if err != nil || v.SignerType != credentials.SignatureAnonymous {
		return ""
	}
	if p, ok := iamOf.Load(creds); ok {
		iam := p.(*iamProvider)
		iam.mu.Lock()
		ierr := iam.err
		iam.mu.Unlock()
		if iam.webIdentity && ierr != nil {
			return "web identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN) was refused: " + oneLine(ierr.Error())
		}
	}
	return "no credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile (AWS_PROFILE), or AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE"
}
