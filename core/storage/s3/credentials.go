package s3

import (
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// NewCredentials returns minio-go's provider chain, first match wins:
//
//  1. keys given by the caller through getenv (so the CLI can pass an
//     environment it controls): AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
//     AWS_SESSION_TOKEN; nil getenv skips this step;
//  2. the process environment: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
//     (+AWS_SESSION_TOKEN), then MINIO_ROOT_USER/MINIO_ROOT_PASSWORD style
//     MINIO_ACCESS_KEY/MINIO_SECRET_KEY;
//  3. the AWS shared credentials file (AWS_SHARED_CREDENTIALS_FILE or
//     ~/.aws/credentials), profile from the argument, AWS_PROFILE or
//     "default";
//  4. IAM: web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, the
//     OIDC route from GitHub Actions or GitLab CI), ECS/EKS container
//     credentials, then the EC2 instance role.
//
// With none of them the requests go unsigned (anonymous), which works only
// for public buckets.
func NewCredentials(profile string, getenv func(string) string) *credentials.Credentials {
	var chain []credentials.Provider
	if getenv != nil {
		if id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
			chain = append(chain, &credentials.Static{Value: credentials.Value{
				AccessKeyID: id, SecretAccessKey: secret, SessionToken: getenv("AWS_SESSION_TOKEN"),
				SignerType: credentials.SignatureV4,
			}})
		}
	}
	chain = append(chain,
		&credentials.EnvAWS{},
		&credentials.EnvMinio{},
		&credentials.FileAWSCredentials{Profile: profile},
		&credentials.IAM{},
	)
	return credentials.NewChainCredentials(chain)
}
