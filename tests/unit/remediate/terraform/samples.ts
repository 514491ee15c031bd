/**
 * Realistic Terraform (AWS provider v5 style) for the remediation tests: written the way `terraform fmt`
 * leaves it, with comments, heredocs and resources that must not be touched.
 */

/** A web tier: an inline SSH rule open to the world, an HTTPS rule open on purpose, attached rule resources. */
export const NETWORK_TF = `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
}

# Web tier: HTTPS from anywhere is intended; SSH is not.
resource "aws_security_group" "web" {
  name        = "web-\${var.env}"
  description = "Web tier {public}" # braces in strings do not end the block
  vpc_id      = var.vpc_id

  ingress {
    description      = "SSH for the on-call"
    from_port        = 22
    to_port          = 22
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Name = "web"
  }
}

resource "aws_security_group_rule" "web_postgres" {
  type      = "ingress"
  from_port = 5432
  to_port   = 5432
  protocol  = "tcp"
  cidr_blocks = [
    "10.20.0.0/16",
    "0.0.0.0/0", # TODO: remove after the migration
  ]
  security_group_id = aws_security_group.web.id
}

resource "aws_vpc_security_group_ingress_rule" "web_rdp" {
  security_group_id = aws_security_group.web.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 3389
  ip_protocol       = "tcp"
  to_port           = 3389
}

resource "aws_vpc_security_group_ingress_rule" "web_http" {
  security_group_id = aws_security_group.web.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 80
  ip_protocol       = "tcp"
  to_port           = 80
}

locals {
  # Not a resource: an ingress that only looks like one must never be edited.
  banner = <<-EOT
    ingress {
      cidr_blocks = ["0.0.0.0/0"]
    }
  EOT
}
`;

/** Buckets: one with no public access block, one whose block leaves flags off. */
export const STORAGE_TF = `resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs-\${var.env}"
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket" "assets" {
  bucket = "acme-assets"
}

resource "aws_s3_bucket_public_access_block" "assets" {
  bucket = aws_s3_bucket.assets.id

  block_public_acls   = false
  block_public_policy = true
}
`;

/** IAM: a jsonencode policy with a service wildcard, a heredoc with two wildcard statements, a policy document. */
export const IAM_TF = `resource "aws_iam_policy" "ci_deploy" {
  name        = "ci-deploy"
  description = "Used by the CI pipeline"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Artifacts"
        Effect   = "Allow"
        Action   = ["s3:*", "cloudfront:CreateInvalidation"]
        Resource = [aws_s3_bucket.assets.arn, "\${aws_s3_bucket.assets.arn}/*"]
      },
      {
        Sid      = "DenyInsecure"
        Effect   = "Deny"
        Action   = "*"
        Resource = "*"
        Condition = {
          Bool = { "aws:SecureTransport" = "false" }
        }
      },
    ]
  })
}

resource "aws_iam_role_policy" "app" {
  name = "app"
  role = aws_iam_role.app.id

  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Queue",
          "Effect": "Allow",
          "Action": "sqs:*",
          "Resource": "\${aws_sqs_queue.jobs.arn}"
        },
        {
          "Effect": "Allow",
          "Action": ["*"],
          "Resource": "*"
        }
      ]
    }
  EOF
}

data "aws_iam_policy_document" "ops" {
  statement {
    sid       = "Everything"
    actions   = ["*"]
    resources = ["*"]
  }

  statement {
    effect    = "Deny"
    actions   = ["iam:*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "ops" {
  name   = "ops"
  policy = data.aws_iam_policy_document.ops.json
}
`;
